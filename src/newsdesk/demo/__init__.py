"""The bundled demo: fictional outlets served from a loopback HTTP server so that the real
fetching path (HTTP, conditional GET, robots.txt, page extraction) runs end to end."""
