import AIBase
import AIKeys
import AITransport
import AIWire
import Testing

@Suite struct ExitStatusTests {
    /// DESIGN §4, row by row: the code each failure carries and the status it must give.
    static let table: [ErrorCode: Int32] = [
        .usage: 64, .input: 65, .notFound: 65, .rejected: 65, .contextLength: 65, .toolLoop: 65, .noInput: 66,
        .unavailable: 69,
        .server: 69,
        .internal: 70, .io: 74, .rateLimited: 75, .timeout: 75, .incomplete: 75, .protocol: 76, .schema: 76, .auth: 77,
        .vaultLocked: 77, .quota: 77, .noKey: 78, .config: 78, .notSupported: 78, .cancelled: 130,
    ]

    @Test func everyCode_givesTheDocumentedStatus() {
        for code in ErrorCode.allCases {
            let status = Self.table[code]
            #expect(status != nil, "\(code) is not in DESIGN §4's table")
            #expect(code.exitStatus.rawValue == status, "\(code)")
            #expect(AIError(code, "x").exitStatus.rawValue == status, "\(code)")
        }
        #expect(Set(Self.table.keys) == Set(ErrorCode.allCases))
    }

    /// Every transport failure, with the code it must become; the switch has no default, so a new case does not
    /// compile until it is listed here.
    static func expectedCode(_ error: TransportError) -> ErrorCode {
        switch error {
        case .connectionRefused, .hostNotFound, .tls, .other: .unavailable
        case .connectTimeout, .idleTimeout, .deadline: .timeout
        case .connectionLost(_, let afterResponse): afterResponse ? .incomplete : .unavailable
        case .invalidRequest: .usage
        case .badResponse: .protocol
        case .cancelled: .cancelled
        }
    }

    static let transportErrors: [TransportError] = [
        .connectionRefused(host: "h"), .hostNotFound(host: "h"), .connectTimeout(seconds: 1),
        .idleTimeout(seconds: 1), .deadline(seconds: 1), .tls("x"), .connectionLost("x", afterResponse: true),
        .connectionLost("x", afterResponse: false), .invalidRequest("x"), .badResponse("x"), .cancelled, .other("x"),
    ]

    @Test(arguments: transportErrors)
    func transportError_mapsThroughTheTable(_ error: TransportError) {
        let mapped = AIError(error, provider: "p")
        #expect(mapped.code == Self.expectedCode(error))
        #expect(mapped.exitStatus.rawValue == Self.table[mapped.code])
    }

    /// Every keys failure, with the code it must become (DESIGN §6–§7 and ai-keys(1)'s EXIT STATUS).
    static func expectedCode(_ error: KeysError) -> ErrorCode {
        switch error {
        case .cryptoUnavailable: .internal
        case .outOfMemory, .kdfOutOfMemory, .io: .io
        case .noVault: .noInput
        case .notAVault, .truncated, .trailingData, .tooLarge, .unsupportedVersion, .unsupportedFlags,
            .unsupportedKDF, .reservedBytesSet, .headerCorrupted, .kdfParametersOutOfBounds, .corrupted,
            .emptySecret, .secretTooLong, .vaultFull:
            .input
        case .incorrectPassphrase, .emptyPassphrase, .passphraseTooLong, .passphrasesDiffer: .auth
        case .vaultExists, .notARegularFile, .notOwned, .permissionsTooOpen, .symbolicLink, .badPassphraseFile,
            .agentRunning, .untrustedAgent, .runtimeDirectory, .sharedDirectory, .occupied:
            .config
        case .busy: .timeout
        case .entryNotFound: .noKey
        case .invalidName, .badPassphraseDescriptor: .usage
        case .noTerminal, .agentLocked, .agentRefused: .vaultLocked
        case .interrupted: .cancelled
        case .noAgent: .unavailable
        case .agentProtocol: .protocol
        case .agentVault(_, let status):
            switch ExitStatus(rawValue: status) {
            case .dataError: .input
            case .noInput: .noInput
            case .config: .config
            default: .io
            }
        }
    }

    static let keysErrors: [KeysError] = [
        .cryptoUnavailable, .outOfMemory, .kdfOutOfMemory(mebibytes: 1), .noVault(path: "v"),
        .vaultExists(path: "v"), .notAVault(path: "v"), .truncated(path: "v"), .trailingData(path: "v"),
        .tooLarge(path: "v"), .unsupportedVersion(9), .unsupportedFlags(1), .unsupportedKDF(9), .reservedBytesSet,
        .headerCorrupted, .kdfParametersOutOfBounds("x"), .incorrectPassphrase, .corrupted(path: "v"),
        .notARegularFile(path: "v"), .notOwned(path: "v", uid: 1), .permissionsTooOpen(path: "v", mode: 0o644),
        .symbolicLink(path: "v"), .busy(path: "v"), .io("x"), .entryNotFound(name: "n"), .invalidName("!"),
        .emptySecret, .secretTooLong, .vaultFull("x"), .emptyPassphrase, .passphraseTooLong, .passphrasesDiffer,
        .noTerminal, .badPassphraseDescriptor("x"), .badPassphraseFile("x"), .interrupted, .noAgent(path: nil),
        .agentRunning(path: "s"), .agentLocked, .untrustedAgent("x"), .agentProtocol("x"), .agentRefused("x"),
        .agentVault("x", status: 65), .agentVault("x", status: 66), .agentVault("x", status: 78),
        .agentVault("x", status: 74), .runtimeDirectory("x"), .sharedDirectory(path: "/tmp", mode: 0o1777),
        .occupied(path: "v", what: "a directory"),
    ]

    @Test func everyKeysError_mapsThroughTheTable() {
        for error in Self.keysErrors {
            let mapped = AIError(error)
            #expect(mapped.code == Self.expectedCode(error), "\(error)")
            #expect(mapped.exitStatus.rawValue == Self.table[mapped.code], "\(error)")
        }
    }

    @Test func record_hasTheWireFields() {
        let record = AIError(.rateLimited, "slow", httpStatus: 429).record
        #expect(record.objectValue?.keys == ["code", "message", "status", "retryable"])
        #expect(record["retryable"] == .bool(true))
    }
}
