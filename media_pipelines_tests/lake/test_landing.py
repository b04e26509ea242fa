from media_pipelines.lake.landing import LandingScan, TitleSnapshot, plan_tick, scan_landing
from media_pipelines.lake.store import LocalStore, ObjectInfo


def snapshot(title_id: str, version: str = "1") -> TitleSnapshot:
    return TitleSnapshot(title_id, (ObjectInfo(f"{title_id}/a.mp4", 10, version),))


def scan_of(*snapshots: TitleSnapshot) -> LandingScan:
    return LandingScan({s.title_id: s for s in snapshots}, ())


def never(_snapshot) -> bool:
    return False


def test_scan_groups_files_by_title_and_sets_aside_invalid_folders(tmp_path):
    for rel in ["good/a.mp4", "good/sub/b.srt", "Bad Name/c.mp4", "loose.mp4"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    scan = scan_landing(LocalStore(tmp_path))
    assert list(scan.titles) == ["good"]
    assert [scan.titles["good"].relative_path(f) for f in scan.titles["good"].files] == ["a.mp4", "sub/b.srt"]
    assert scan.invalid_folders == ("Bad Name",)


def test_fingerprint_changes_with_content_version_and_file_set():
    base = snapshot("t").fingerprint
    assert snapshot("t").fingerprint == base
    assert snapshot("t", version="2").fingerprint != base
    grown = TitleSnapshot("t", snapshot("t").files + (ObjectInfo("t/b.srt", 1, "1"),))
    assert grown.fingerprint != base


def test_new_title_is_registered_and_run_then_left_alone():
    first = plan_tick(scan_of(snapshot("a")), {}, registered=[], already_ingested=never, max_titles=10)
    assert first.register == ["a"] and [s.title_id for s in first.run] == ["a"]
    second = plan_tick(scan_of(snapshot("a")), first.cursor, registered=["a"], already_ingested=never, max_titles=10)
    assert (second.register, second.run) == ([], [])


def test_changed_title_runs_again_without_registering():
    cursor = {"a": snapshot("a").fingerprint}
    plan = plan_tick(scan_of(snapshot("a", "2")), cursor, registered=["a"], already_ingested=never, max_titles=10)
    assert plan.register == [] and plan.run == [snapshot("a", "2")]
    assert plan.cursor == {"a": snapshot("a", "2").fingerprint}


def test_already_ingested_title_is_recorded_without_a_run():
    plan = plan_tick(scan_of(snapshot("a")), {}, registered=["a"], already_ingested=lambda s: True, max_titles=10)
    assert plan.run == [] and plan.cursor == {"a": snapshot("a").fingerprint}


def test_cap_defers_the_rest_and_removed_titles_leave_the_cursor():
    scan = scan_of(*(snapshot(f"t{i:02d}") for i in range(5)))
    plan = plan_tick(scan, {"gone": "x"}, registered=[], already_ingested=never, max_titles=2)
    assert [s.title_id for s in plan.run] == ["t00", "t01"] and plan.pending == 3
    assert set(plan.cursor) == {"t00", "t01"}
