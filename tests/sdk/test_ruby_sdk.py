"""The generated Ruby gem (Typhoeus), with its signing ApiClient, against a live server.

Ruby and Typhoeus come from Debian's packages only (RubyGems is not reachable):
sdk/ruby/e2e.rb puts the gem's lib/ on $LOAD_PATH.
"""

from tests.sdk.conftest import ROOT


def test_ruby_program_runs_every_step(run_program):
    output = run_program("ruby", "ruby", str(ROOT / "sdk" / "ruby" / "e2e.rb"))
    assert "all steps passed" in output
