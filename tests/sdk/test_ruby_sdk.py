"""The generated Ruby gem (Typhoeus), with its signing ApiClient, against a live server.

Ruby and Typhoeus come from Debian's packages only (RubyGems is not reachable):
sdk/ruby/e2e.rb puts the gem's lib/ on $LOAD_PATH.
"""


def test_ruby_program_runs_every_step(programs):
    assert "all steps passed" in programs("ruby")
