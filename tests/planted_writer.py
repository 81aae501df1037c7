"""A writer plugin for tests: the extractive article plus planted hallucinations, each citing a
real source that does not support it."""

from newsdesk.records import ArticleSentence, Citation
from newsdesk.write.extractive import ExtractiveWriter

PLANTED = [
    "Revenue at the company tripled to $9.9 billion in a single quarter.",  # invented figures
    '"We will hire 5,000 people next month," said Ingrid Solvang.',  # invented quote and person
    "Regulators in Brussels ordered an immediate halt to the plan.",  # invented names
]


class PlantingWriter(ExtractiveWriter):
    name = "planted"

    def write(self, story):
        article = super().write(story)
        if article is None:
            return None
        first = article.dek.citations[0]
        planted = [ArticleSentence(text, [Citation(first.ref, first.item_id, first.start, first.end)]) for text in PLANTED]
        article.sections[0].paragraphs.append(planted)
        return article


def make_writer(settings):
    return PlantingWriter(settings.write, settings.verify)


class DoubtfulWriter(ExtractiveWriter):
    """The extractive article plus one sentence its source almost carries: the dek with two
    words no source has (a REVIEW the verifier names, never a FAIL)."""

    name = "doubtful"

    def write(self, story):
        article = super().write(story)
        if article is None:
            return None
        dek = article.dek
        doubtful = ArticleSentence(dek.text.rstrip(".") + " amid gloomy forecasts.", list(dek.citations))
        article.sections[0].paragraphs.append([doubtful])
        return article


def make_doubtful_writer(settings):
    return DoubtfulWriter(settings.write, settings.verify)
