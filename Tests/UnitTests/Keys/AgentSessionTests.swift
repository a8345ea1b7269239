import AIBase
import AIKeys
import Testing

/// T33: the agent's TTLs, on an injected clock (the agent's real clock is CLOCK_BOOTTIME, which counts suspend).
@Suite struct AgentSessionTests {
    @Test func idleTTL_isResetByUse_hardTTLIsNot() {
        var session = AgentSession()
        #expect(!session.isUnlocked(at: 0))
        session.unlock(at: 100, idleTTL: 2, hardTTL: 5)
        #expect(session.isUnlocked(at: 101.9))
        session.touch(at: 101.5)
        #expect(session.isUnlocked(at: 103.4))
        #expect(!session.isUnlocked(at: 103.5))
        session.unlock(at: 200, idleTTL: 2, hardTTL: 3)
        for second in 1...2 { session.touch(at: 200 + Double(second)) }
        #expect(session.isUnlocked(at: 202.9))
        #expect(!session.isUnlocked(at: 203))
        #expect(session.deadline == 203)
    }

    @Test func noTTL_meansForever_andLockEndsIt() {
        var session = AgentSession()
        session.unlock(at: 0, idleTTL: nil, hardTTL: nil)
        #expect(session.isUnlocked(at: 1e9))
        #expect(session.idleLeft(at: 5) == nil && session.hardLeft(at: 5) == nil)
        session.lock()
        #expect(!session.isUnlocked(at: 1))
        #expect(session.deadline == nil)
    }

    @Test func timeSpentSuspended_counts() {
        // A suspend shows as a jump of the boot clock: the session must expire across it.
        var session = AgentSession()
        session.unlock(at: 1000, idleTTL: 600, hardTTL: 7200)
        #expect(!session.isUnlocked(at: 1000 + 8 * 3600))
    }

    @Test func unlockRequests_areClampedToTheAgentsCeiling() {
        #expect(AgentSession.clamp(requested: 0, ceiling: 600) == 600)
        #expect(AgentSession.clamp(requested: 60, ceiling: 600) == 60)
        #expect(AgentSession.clamp(requested: 6000, ceiling: 600) == 600)
        #expect(AgentSession.clamp(requested: 60, ceiling: nil) == 60)
        #expect(AgentSession.clamp(requested: 0, ceiling: nil) == nil)
    }

    @Test func bootClock_countsAtLeastAsMuchAsTheMonotonicClock() {
        #expect(BootClock.now() >= Monotonic.now() - 0.001)
    }
}
