"""Text helpers shared by the stages: names, the paraphrase lexicon, screening of instructions
addressed to a model. Nothing here reads or writes the store; any stage may import it."""
