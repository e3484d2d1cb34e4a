import XCTest
import Posix
import ServerCore
@testable import Master

/// Reload, scaling, timeouts and recycling, with a manual clock.
final class SupervisorOperationsTests: XCTestCase {
    let ms: UInt64 = 1_000_000
    let s: UInt64 = 1_000_000_000
    var nextPid: Int32 = 100

    func policy(_ workers: Int) -> Supervisor.Policy {
        var p = Supervisor.Policy(workers: workers, gracefulTimeout: .seconds(30))
        p.timeout = .seconds(30)
        p.abortGrace = .seconds(5)
        return p
    }

    /// Confirms every `.spawn` in `actions` with a fresh pid and returns (slot, pid, generation).
    @discardableResult
    func confirm(_ sup: inout Supervisor, _ actions: [Supervisor.Action], now: UInt64, limit: Int = 0) -> [(slot: Int, pid: Int32, generation: Int)] {
        var out: [(Int, Int32, Int)] = []
        for a in actions {
            if case .spawn(let slot, let g) = a {
                nextPid += 1
                out.append((slot, nextPid, g))
                let more = sup.spawned(slot: slot, pid: nextPid, generation: g, now: now, requestLimit: limit)
                out += confirm(&sup, more, now: now, limit: limit)
            }
        }
        return out
    }

    func startReady(_ workers: Int, limit: Int = 0) -> (Supervisor, [Int32]) {
        var sup = Supervisor(policy: policy(workers))
        let started = confirm(&sup, sup.start(now: 0), now: 0, limit: limit)
        for w in started { _ = sup.ready(pid: w.pid, now: ms) }
        return (sup, started.map(\.pid))
    }

    func drains(_ actions: [Supervisor.Action]) -> [Int32] {
        actions.compactMap { if case .send(let pid, .drain) = $0 { return pid }; return nil }
    }

    func spawnsOf(_ actions: [Supervisor.Action]) -> [Int] {
        actions.compactMap { if case .spawn(let slot, _) = $0 { return slot }; return nil }
    }

    func testReloadReplacesOneSlotAtATimeNewReadyBeforeOldDrains() {
        var (sup, old) = startReady(3)
        var now = 10 * s
        var a = sup.reload(policy: policy(3), generation: 2, now: now)
        XCTAssertEqual(spawnsOf(a), [0], "only the first slot starts")
        XCTAssertEqual(drains(a), [], "nothing drains before its successor is ready")
        for slot in 0..<3 {
            let new = confirm(&sup, a, now: now)
            XCTAssertEqual(new.count, 1)
            XCTAssertEqual(new[0].slot, slot)
            XCTAssertEqual(new[0].generation, 2)
            XCTAssertEqual(sup.workers.values.filter { $0.state == .ready }.count, 3, "capacity kept while the successor boots")
            now += ms
            a = sup.ready(pid: new[0].pid, now: now)
            XCTAssertEqual(drains(a), [old[slot]], "the old worker of slot \(slot) drains only now")
            if slot < 2 { XCTAssertEqual(spawnsOf(a), [slot + 1]) }
        }
        XCTAssertTrue(a.contains(.rolloutFinished(generation: 2, succeeded: true)))
        XCTAssertEqual(sup.generation, 2)
    }

    func testReloadStopsWhenNewWorkersFailToBootAndKeepsOldOnes() {
        var (sup, old) = startReady(2)
        let a = sup.reload(policy: policy(2), generation: 2, now: s)
        let new = confirm(&sup, a, now: s)
        let b = sup.exited(pid: new[0].pid, status: .exited(WorkerExitCode.appLoadFailed.rawValue), now: s + ms)
        XCTAssertTrue(b.contains(.rolloutFinished(generation: 2, succeeded: false)))
        XCTAssertEqual(drains(b), [])
        XCTAssertEqual(sup.generation, 1)
        XCTAssertNil(sup.rolloutGeneration)
        XCTAssertEqual(Set(sup.workers.values.filter { $0.state == .ready }.map(\.pid)), Set(old))
        // Later ticks do not retry the rollout nor touch the old workers.
        let c = sup.tick(now: 100 * s)
        XCTAssertEqual(spawnsOf(c), [])
        XCTAssertEqual(drains(c), [])
    }

    func testReloadWithMoreWorkersSpawnsExtraSlot() {
        var (sup, _) = startReady(2)
        let a = sup.reload(policy: policy(3), generation: 2, now: s)
        XCTAssertTrue(spawnsOf(a).contains(2))
        XCTAssertTrue(spawnsOf(a).contains(0))
    }

    func testTTINAndTTOU() {
        var (sup, pids) = startReady(2)
        let up = sup.scale(by: 1, now: s)
        XCTAssertEqual(spawnsOf(up), [2])
        let added = confirm(&sup, up, now: s)
        _ = sup.ready(pid: added[0].pid, now: s + ms)
        let down = sup.scale(by: -1, now: 2 * s)
        XCTAssertEqual(drains(down), [added[0].pid], "TTOU retires the highest slot")
        let floor = sup.scale(by: -5, now: 3 * s)
        XCTAssertEqual(sup.policy.workers, 1)
        XCTAssertEqual(drains(floor), [pids[1]])
    }

    func testWinchStopsAllWorkersAndKeepsMaster() {
        var (sup, pids) = startReady(2)
        let a = sup.stopAllWorkers(now: s)
        XCTAssertEqual(Set(drains(a)), Set(pids))
        XCTAssertEqual(sup.phase, .running)
        for p in pids { XCTAssertFalse(sup.exited(pid: p, status: .exited(0), now: 2 * s).contains { if case .exit = $0 { return true }; return false }) }
        XCTAssertEqual(spawnsOf(sup.scale(by: 1, now: 3 * s)), [0])
    }

    func testStuckRequestIsAbortedThenKilledAndReplaced() {
        var (sup, pids) = startReady(2)
        let now = 100 * s
        let samples: [Int32: Supervisor.Sample] = [
            pids[0]: .init(heartbeat: now - 40 * s, requestStart: now - 31 * s, currentRequest: "GET /slow"),
            pids[1]: .init(heartbeat: now - ms),
        ]
        _ = sup.tick(now: now - s) // the master's loop runs at least once a second
        let a = sup.tick(now: now, samples: samples)
        XCTAssertEqual(a.filter { if case .abort = $0 { return true }; return false }, [.abort(pid: pids[0])])
        XCTAssertTrue(a.contains { if case .log(.error, let m) = $0 { return m.contains("timeout") && m.contains("GET /slow") }; return false })
        XCTAssertEqual(spawnsOf(a), [0], "the slot gets a new worker at once; the stuck one is on its way out")
        XCTAssertFalse(sup.tick(now: now + 5 * s - 1).contains(.killGroup(pid: pids[0])))
        XCTAssertTrue(sup.tick(now: now + 5 * s).contains(.killGroup(pid: pids[0])))
        let b = sup.exited(pid: pids[0], status: .signaled(SIGKILL, coreDumped: false), now: now + 5 * s + ms)
        XCTAssertEqual(spawnsOf(b), [], "already replaced")
        XCTAssertTrue(b.contains { if case .log(_, let m) = $0 { return m.contains("timeout") && !m.contains("memory") }; return false })
    }

    func testFrozenLoopIsAborted() {
        var (sup, pids) = startReady(1)
        let now = 100 * s
        _ = sup.tick(now: now - s)
        let a = sup.tick(now: now, samples: [pids[0]: .init(heartbeat: now - 30 * s)])
        XCTAssertTrue(a.contains(.abort(pid: pids[0])))
    }

    func testClockJumpSkipsOneKillPass() {
        var (sup, pids) = startReady(1)
        _ = sup.tick(now: 10 * s, samples: [pids[0]: .init(heartbeat: 10 * s)])
        // The master was stopped for a minute: the worker's heartbeat looks stale.
        let jumped = 70 * s
        let a = sup.tick(now: jumped, samples: [pids[0]: .init(heartbeat: 10 * s)])
        XCTAssertFalse(a.contains(.abort(pid: pids[0])), "no kill right after a jump")
        // If it is still stale on the next pass, it really is stuck.
        let b = sup.tick(now: jumped + s, samples: [pids[0]: .init(heartbeat: 10 * s)])
        XCTAssertTrue(b.contains(.abort(pid: pids[0])))
    }

    func testMaxRequestsRecyclesOneAtATimeSuccessorFirst() {
        var (sup, pids) = startReady(3, limit: 1000)
        let over = Dictionary(uniqueKeysWithValues: pids.map { ($0, Supervisor.Sample(heartbeat: 10 * s, requests: 1500)) })
        let a = sup.tick(now: 10 * s, samples: over)
        XCTAssertEqual(spawnsOf(a).count, 1, "one replacement at a time")
        XCTAssertEqual(drains(a), [])
        let succ = confirm(&sup, a, now: 10 * s)
        XCTAssertEqual(spawnsOf(sup.tick(now: 10 * s + ms, samples: over)), [], "no second replacement while one is in flight")
        let b = sup.ready(pid: succ[0].pid, now: 10 * s + 2 * ms)
        XCTAssertEqual(drains(b).count, 1)
        XCTAssertEqual(spawnsOf(b).count, 1, "the next replacement starts once the first completed")
    }

    func testMaxWorkerMemoryRecycles() {
        var p = policy(1)
        p.maxWorkerMemory = 100 << 20
        var sup = Supervisor(policy: p)
        let started = confirm(&sup, sup.start(now: 0), now: 0)
        _ = sup.ready(pid: started[0].pid, now: ms)
        let a = sup.tick(now: s, samples: [started[0].pid: .init(heartbeat: s, rss: 200 << 20)])
        XCTAssertEqual(spawnsOf(a), [0])
        XCTAssertEqual(sup.replacement?.reason, .maxMemory)
    }
}
