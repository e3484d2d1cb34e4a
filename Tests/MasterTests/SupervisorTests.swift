import XCTest
import Posix
import ServerCore
@testable import Master

/// The supervisor's rules, driven with a manual clock.
final class SupervisorTests: XCTestCase {
    let ms: UInt64 = 1_000_000
    let s: UInt64 = 1_000_000_000

    func makeSupervisor(workers: Int = 3, graceful: Duration = .seconds(30)) -> Supervisor {
        Supervisor(policy: .init(workers: workers, gracefulTimeout: graceful))
    }

    func spawns(_ actions: [Supervisor.Action]) -> [Int] {
        actions.compactMap { if case .spawn(let slot, _) = $0 { return slot }; return nil }
    }

    /// Starts, confirms every spawn with pids 100+slot, marks them ready.
    func startAll(_ sup: inout Supervisor, now: UInt64 = 0) {
        let slots = spawns(sup.start(now: now))
        for slot in slots { _ = sup.spawned(slot: slot, pid: Int32(100 + slot), generation: 1, now: now) }
        for slot in slots { _ = sup.ready(pid: Int32(100 + slot), now: now + ms) }
    }

    func testStartSpawnsEverySlotOnce() {
        var sup = makeSupervisor(workers: 3)
        XCTAssertEqual(spawns(sup.start(now: 0)), [0, 1, 2])
        // Spawns pending: a tick must not ask again.
        XCTAssertEqual(spawns(sup.tick(now: 1)), [])
    }

    func testBecameReadyOnlyWhenAllWorkersReady() {
        var sup = makeSupervisor(workers: 2)
        _ = sup.start(now: 0)
        _ = sup.spawned(slot: 0, pid: 10, generation: 1, now: 0)
        _ = sup.spawned(slot: 1, pid: 11, generation: 1, now: 0)
        XCTAssertFalse(sup.ready(pid: 10, now: 5).contains(.becameReady))
        XCTAssertTrue(sup.ready(pid: 11, now: 6).contains(.becameReady))
        XCTAssertEqual(sup.readyCount, 2)
    }

    func testDeadReadyWorkerIsRespawnedInSameSlotAtOnce() {
        var sup = makeSupervisor(workers: 3)
        startAll(&sup)
        let actions = sup.exited(pid: 101, status: .signaled(9, coreDumped: false), now: 10 * s)
        XCTAssertEqual(spawns(actions), [1])
        XCTAssertTrue(actions.contains { if case .log(.error, let m) = $0 { return m.contains("slot=1") }; return false })
    }

    func testBootFailuresBackOffExponentiallyAndCap() {
        var sup = makeSupervisor(workers: 1)
        var now: UInt64 = 0
        XCTAssertEqual(spawns(sup.start(now: now)), [0])
        var pid: Int32 = 500
        var delays: [UInt64] = []
        for _ in 0..<12 {
            _ = sup.spawned(slot: 0, pid: pid, generation: 1, now: now)
            let a = sup.exited(pid: pid, status: .exited(WorkerExitCode.appLoadFailed.rawValue), now: now)
            XCTAssertEqual(spawns(a), [], "no immediate respawn after a boot failure")
            guard let next = sup.nextDeadline() else { return XCTFail("a retry must be scheduled") }
            delays.append(next - now)
            XCTAssertEqual(spawns(sup.tick(now: next - 1)), [], "not before the backoff deadline")
            now = next
            XCTAssertEqual(spawns(sup.tick(now: now)), [0])
            pid += 1
        }
        XCTAssertEqual(delays[0], 100 * ms)
        XCTAssertEqual(delays[1], 200 * ms)
        XCTAssertEqual(delays[2], 400 * ms)
        XCTAssertEqual(delays.last, 30 * s, "capped")
        XCTAssertEqual(sup.failures[0], 12)
    }

    func testReadyResetsBackoff() {
        var sup = makeSupervisor(workers: 1)
        _ = sup.start(now: 0)
        _ = sup.spawned(slot: 0, pid: 1, generation: 1, now: 0)
        _ = sup.exited(pid: 1, status: .exited(3), now: 0)
        let t = sup.nextDeadline()!
        _ = sup.tick(now: t)
        _ = sup.spawned(slot: 0, pid: 2, generation: 1, now: t)
        _ = sup.ready(pid: 2, now: t + 1)
        XCTAssertNil(sup.failures[0])
        XCTAssertEqual(spawns(sup.exited(pid: 2, status: .signaled(9, coreDumped: false), now: t + 2)), [0])
    }

    func testOneSlotFailingDoesNotStopOthers() {
        var sup = makeSupervisor(workers: 2)
        startAll(&sup)
        _ = sup.exited(pid: 100, status: .signaled(9, coreDumped: false), now: s)
        _ = sup.spawned(slot: 0, pid: 200, generation: 1, now: s)
        _ = sup.exited(pid: 200, status: .exited(4), now: s)
        XCTAssertEqual(sup.phase, .running)
        XCTAssertNotNil(sup.worker(inSlot: 1), "the healthy worker keeps serving")
    }

    func testFatalConfigIsNotRespawnedAndAllFatalExits() {
        var sup = makeSupervisor(workers: 2)
        _ = sup.start(now: 0)
        _ = sup.spawned(slot: 0, pid: 1, generation: 1, now: 0)
        _ = sup.spawned(slot: 1, pid: 2, generation: 1, now: 0)
        let a = sup.exited(pid: 1, status: .exited(WorkerExitCode.fatalConfig.rawValue), now: 1)
        XCTAssertEqual(spawns(a), [])
        XCTAssertTrue(sup.disabledSlots.contains(0))
        let b = sup.exited(pid: 2, status: .exited(WorkerExitCode.fatalConfig.rawValue), now: 2)
        XCTAssertTrue(b.contains(.exit(code: 2)))
    }

    func testGracefulStopDrainsThenKillsAfterTimeoutThenExits() {
        var sup = makeSupervisor(workers: 2, graceful: .seconds(5))
        startAll(&sup)
        let a = sup.stop(graceful: true, now: s)
        XCTAssertTrue(a.contains(.send(pid: 100, .drain)))
        XCTAssertTrue(a.contains(.send(pid: 101, .drain)))
        XCTAssertEqual(sup.nextDeadline(), 6 * s)
        // One exits on its own; no respawn while stopping.
        XCTAssertEqual(spawns(sup.exited(pid: 100, status: .exited(0), now: 2 * s)), [])
        XCTAssertFalse(sup.tick(now: 6 * s - 1).contains(.killGroup(pid: 101)))
        XCTAssertTrue(sup.tick(now: 6 * s).contains(.killGroup(pid: 101)))
        XCTAssertTrue(sup.exited(pid: 101, status: .signaled(9, coreDumped: false), now: 6 * s + ms).contains(.exit(code: 0)))
        XCTAssertEqual(sup.phase, .exited)
    }

    func testQuickStopKillsAfterTwoSeconds() {
        var sup = makeSupervisor(workers: 1, graceful: .seconds(30))
        startAll(&sup)
        XCTAssertTrue(sup.stop(graceful: false, now: 0).contains(.send(pid: 100, .quit)))
        XCTAssertTrue(sup.tick(now: 2 * s).contains(.killGroup(pid: 100)))
    }

    func testQuickStopOverridesGracefulButNotReverse() {
        var sup = makeSupervisor(workers: 1)
        startAll(&sup)
        _ = sup.stop(graceful: true, now: 0)
        XCTAssertTrue(sup.stop(graceful: false, now: 1).contains(.send(pid: 100, .quit)))
        XCTAssertEqual(sup.stop(graceful: true, now: 2), [])
    }

    func testSpawnConfirmedDuringStopIsStoppedAtOnce() {
        var sup = makeSupervisor(workers: 1)
        _ = sup.start(now: 0)
        _ = sup.stop(graceful: true, now: 1)
        XCTAssertTrue(sup.spawned(slot: 0, pid: 7, generation: 1, now: 2).contains(.send(pid: 7, .drain)))
    }

    func testBootTimeoutKillsAndBacksOff() {
        var sup = makeSupervisor(workers: 1)
        _ = sup.start(now: 0)
        _ = sup.spawned(slot: 0, pid: 9, generation: 1, now: 0)
        XCTAssertEqual(sup.nextDeadline(), 30 * s)
        let a = sup.tick(now: 30 * s)
        XCTAssertTrue(a.contains(.killGroup(pid: 9)))
        XCTAssertEqual(spawns(sup.exited(pid: 9, status: .signaled(9, coreDumped: false), now: 30 * s + 1)), [])
        XCTAssertNotNil(sup.respawnAt[0])
    }

    func testUnknownChildIsOnlyLogged() {
        var sup = makeSupervisor(workers: 1)
        startAll(&sup)
        let a = sup.exited(pid: 4242, status: .exited(0), now: 1)
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(spawns(a), [])
    }
}
