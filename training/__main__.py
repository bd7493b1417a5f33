"""`python -m training round|rollback|history` (see training/cli.py)."""

from training.cli import main

if __name__ == "__main__":
    main(prog_name="python -m training")
