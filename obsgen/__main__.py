from obsgen.cli import run

run()
