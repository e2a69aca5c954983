"""The generated PHP SDK (Guzzle), with its handler-stack signing middleware, against a live server.

PHP and Guzzle come from Debian's packages only (Packagist is not reachable):
sdk/php/e2e.php wires Debian's autoloaders and the SDK's PSR-4 tree by hand.
"""

from tests.sdk.conftest import ROOT


def test_php_program_runs_every_step(run_program):
    output = run_program("php", "php", str(ROOT / "sdk" / "php" / "e2e.php"))
    assert "all steps passed" in output
