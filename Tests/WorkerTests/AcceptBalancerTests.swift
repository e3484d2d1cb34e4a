import XCTest
@testable import Worker

/// Accept balancing, driven with peer samples and a manual clock.
final class AcceptBalancerTests: XCTestCase {
    let ms: UInt64 = 1_000_000

    typealias Peer = AcceptBalancer.Peer

    func decide(mine: Int, canAdmit: Bool = true, listening: Bool = true, _ peers: [Peer],
                backlog: Bool = false) -> AcceptBalancer.Decision {
        AcceptBalancer().decide(mine: mine, canAdmit: canAdmit, listening: listening, peers: peers, backlogWaiting: { backlog })
    }

    func testStepsBackOnlyWhileAnAcceptingPeerHoldsAtLeastTwoFewer() {
        XCTAssertEqual(decide(mine: 5, [Peer(listening: true, connections: 3)]), .stepBack)
        XCTAssertEqual(decide(mine: 5, [Peer(listening: true, connections: 4)]), .listen, "one fewer: stay")
        XCTAssertEqual(decide(mine: 5, [Peer(listening: false, connections: 0)]), .listen,
                       "a peer that does not accept cannot take the connection")
        XCTAssertEqual(decide(mine: 5, [Peer(listening: false, connections: 0), Peer(listening: true, connections: 2)]), .stepBack)
        // Back as soon as it is no longer ahead.
        XCTAssertEqual(decide(mine: 3, listening: false, [Peer(listening: true, connections: 2)]), .listen)
    }

    func testSomeWorkerAlwaysAccepts() {
        XCTAssertEqual(decide(mine: 50, []), .listen, "alone: listen")
        // Every worker deciding from the same picture: the least loaded one keeps listening.
        let loads = [7, 3, 9, 3]
        for me in loads.indices {
            let others = loads.indices.filter { $0 != me }.map { Peer(listening: true, connections: loads[$0]) }
            let d = decide(mine: loads[me], others)
            if loads[me] == loads.min() { XCTAssertEqual(d, .listen, "worker \(me)") }
        }
        // All peers stepped back: the last listener never does.
        XCTAssertEqual(decide(mine: 40, [Peer(listening: false, connections: 1), Peer(listening: false, connections: 2)]), .listen)
    }

    func testABacklogBringsAStepppedBackWorkerBack() {
        var asked = 0
        let d = AcceptBalancer().decide(mine: 9, canAdmit: true, listening: false, peers: [Peer(listening: true, connections: 1)],
                                        backlogWaiting: { asked += 1; return true })
        XCTAssertEqual(d, .listen)
        XCTAssertEqual(asked, 1)
        asked = 0
        _ = AcceptBalancer().decide(mine: 1, canAdmit: true, listening: false, peers: [Peer(listening: true, connections: 1)],
                                    backlogWaiting: { asked += 1; return true })
        XCTAssertEqual(asked, 0, "the backlog is asked only when the worker would stay back")
        XCTAssertEqual(decide(mine: 9, listening: true, [Peer(listening: true, connections: 1)], backlog: true), .stepBack,
                       "a listening worker ahead steps back whatever the backlog")
    }

    func testAFullWorkerWithNothingIdleToCloseStepsBack() {
        XCTAssertEqual(decide(mine: 1, canAdmit: false, []), .stepBack)
    }

    func testShedsWhenClearlyAheadAtMostOncePerInterval() {
        var b = AcceptBalancer()
        let peers = [Peer(listening: true, connections: 2), Peer(listening: false, connections: 6)]
        XCTAssertTrue(b.shouldShed(mine: 5, peers: peers, now: 1000 * ms), "three ahead of the least loaded")
        XCTAssertFalse(b.shouldShed(mine: 5, peers: peers, now: 1000 * ms + AcceptBalancer.shedInterval - 1), "rate limited")
        XCTAssertTrue(b.shouldShed(mine: 5, peers: peers, now: 1000 * ms + AcceptBalancer.shedInterval))
        XCTAssertEqual(AcceptBalancer.shedInterval, 50 * ms)
    }

    func testDoesNotShedSmallFluctuations() {
        var b = AcceptBalancer()
        XCTAssertFalse(b.shouldShed(mine: 4, peers: [Peer(listening: true, connections: 2)], now: 0), "two ahead")
        XCTAssertFalse(b.shouldShed(mine: 2, peers: [Peer(listening: true, connections: 0)], now: 1), "two or fewer connections")
        XCTAssertFalse(b.shouldShed(mine: 40, peers: [Peer(listening: true, connections: 31)], now: 2 * AcceptBalancer.shedInterval),
                       "many connections: ahead by a quarter, not by three")
        XCTAssertTrue(b.shouldShed(mine: 40, peers: [Peer(listening: true, connections: 30)], now: 4 * AcceptBalancer.shedInterval))
        XCTAssertFalse(b.shouldShed(mine: 40, peers: [], now: 6 * AcceptBalancer.shedInterval), "alone: nowhere to go")
    }
}
