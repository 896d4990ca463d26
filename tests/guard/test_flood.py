from bot.guard import GuardState, ScanContext, build_input_guard

POLICY = {"input": ["normalize", "flood"],
          "rate_limit": {"user_per_minute": 6, "user_burst": 3, "channel_per_minute": 60, "channel_burst": 5,
                         "duplicate_repeats": 1}}


def run(guard, text, user="u", channel="c", now=1000.0):
    return guard.run(text, ScanContext(user_id=user, channel_id=channel, now=now))


def test_user_rate_limit_and_refill():
    guard = build_input_guard(POLICY)
    verdicts = [run(guard, f"question number {i} about my card", now=1000.0).verdict for i in range(4)]
    assert verdicts == ["pass", "pass", "pass", "block"]
    assert run(guard, "another question about my card", now=1000.5).reasons == ["flood.user"]
    assert run(guard, "a later question about my card", now=1011.0).verdict == "pass"  # 6/min refills


def test_channel_rate_limit():
    guard = build_input_guard(POLICY)
    out = [run(guard, f"hello there from user {i}", user=f"u{i}") for i in range(6)]
    assert [o.verdict for o in out[:5]] == ["pass"] * 5
    assert out[5].reasons == ["flood.channel"]
    assert run(guard, "hello there from another room", user="x", channel="other").verdict == "pass"


def test_duplicate_suppression():
    guard = build_input_guard(POLICY)
    assert run(guard, "Why was my card declined?", now=1.0).verdict == "pass"
    dup = run(guard, "why was my card  DECLINED?", now=2.0)
    assert dup.verdict == "block" and dup.reasons == ["flood.duplicate"]
    assert run(guard, "Why was my card declined?", user="someone-else", now=3.0).verdict == "pass"
    assert run(guard, "Why was my card declined?", now=200.0).verdict == "pass"  # window over
    assert run(guard, "ok", now=200.5).verdict == "pass"
    assert run(guard, "ok", now=201.0).verdict == "pass"  # short replies are not duplicates


def test_state_is_bounded():
    state = GuardState(max_keys=50)
    guard = build_input_guard(POLICY, state=state)
    for i in range(500):
        run(guard, f"message {i} is here", user=f"user{i}", channel=f"ch{i}")
    assert len(state.buckets) <= 50 and len(state.recent) <= 50
