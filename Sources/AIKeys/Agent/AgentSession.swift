/// The agent's unlock window: an idle TTL reset by every use (gpg `default-cache-ttl`) and a hard TTL counted
/// from the unlock (gpg `max-cache-ttl`), both on a clock that counts suspend. Pure: the time is passed in.
package struct AgentSession: Sendable, Equatable {
    /// Seconds of disuse before locking; nil is forever.
    package private(set) var idleTTL: Double?
    /// Seconds after unlock before locking; nil is forever.
    package private(set) var hardTTL: Double?
    /// When the agent was unlocked, if it is.
    package private(set) var unlockedAt: Double?
    /// When a key was last handed out (or the unlock).
    package private(set) var lastUse: Double?

    /// A locked session.
    package init() {}

    /// Whether the session is unlocked and not expired at `now`.
    package func isUnlocked(at now: Double) -> Bool {
        unlockedAt != nil && !isExpired(at: now)
    }

    /// Whether a TTL has run out at `now` (a locked session never expires).
    package func isExpired(at now: Double) -> Bool {
        guard let deadline = deadline else { return false }
        return now >= deadline
    }

    /// When the session expires, if it is unlocked and has a TTL.
    package var deadline: Double? {
        guard let unlockedAt, let lastUse else { return nil }
        let idle = idleTTL.map { lastUse + $0 }
        let hard = hardTTL.map { unlockedAt + $0 }
        switch (idle, hard) {
        case (let idle?, let hard?): return min(idle, hard)
        case (let idle?, nil): return idle
        case (nil, let hard?): return hard
        case (nil, nil): return nil
        }
    }

    /// Starts an unlock window at `now`.
    package mutating func unlock(at now: Double, idleTTL: Double?, hardTTL: Double?) {
        self.idleTTL = idleTTL
        self.hardTTL = hardTTL
        unlockedAt = now
        lastUse = now
    }

    /// Records a use at `now` (resets the idle TTL).
    package mutating func touch(at now: Double) {
        if unlockedAt != nil { lastUse = now }
    }

    /// Ends the window.
    package mutating func lock() {
        unlockedAt = nil
        lastUse = nil
    }

    /// Whole seconds left before the idle TTL, nil when there is none.
    package func idleLeft(at now: Double) -> Double? {
        guard let lastUse, let idleTTL else { return nil }
        return max(0, lastUse + idleTTL - now)
    }

    /// Whole seconds left before the hard TTL, nil when there is none.
    package func hardLeft(at now: Double) -> Double? {
        guard let unlockedAt, let hardTTL else { return nil }
        return max(0, unlockedAt + hardTTL - now)
    }

    /// The TTL an unlock request gets: its own wish (0: none given) clamped to the agent's ceiling (nil: none).
    package static func clamp(requested: UInt32, ceiling: Double?) -> Double? {
        guard requested > 0 else { return ceiling }
        guard let ceiling else { return Double(requested) }
        return min(Double(requested), ceiling)
    }
}
