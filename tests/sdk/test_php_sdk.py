"""The generated PHP SDK (Guzzle), with its handler-stack signing middleware, against a live server.

PHP and Guzzle come from Debian's packages only (Packagist is not reachable):
sdk/php/e2e.php wires Debian's autoloaders and the SDK's PSR-4 tree by hand.
"""


def test_php_program_runs_every_step(programs):
    assert "all steps passed" in programs("php")
