from okrsite.cli import run

run()
