"""One module per subcommand; see evaluator/cli.py for the contract."""
