"""``python -m itunlp`` runs the command line."""

from itunlp.cli import main

main(prog_name="itunlp")
