import AIBase
import AIConfig
import AIProviders
import AISchema
import AITools
import AIWire

/// How a run answers the model's tool calls (DESIGN §11): the tools offered besides a request's own, the cap on
/// model calls, whether each call is approved first, and the environment command tools get.
package struct ToolOptions: Sendable {
    /// The default `--max-steps`.
    package static let defaultMaxSteps = 10

    /// The tools of `--tool` and `--mcp`.
    package var tools: ToolSet
    /// The most model calls one request may take.
    package var maxSteps: Int
    /// Ask on the terminal before each call (`--approve`).
    package var approve: Bool
    /// What command tools' environments are made from; nil: the run's environment, the providers' key variables
    /// withheld (`Runner.commandEnvironment`).
    package var environment: CommandEnvironment?
    /// Whether every request runs the tool loop (`--tool` or `--mcp` given); otherwise only a request with its own
    /// `tools` does, and tool calls are reported, not run.
    package var active = true

    /// Options with the given parts.
    package init(
        tools: ToolSet = ToolSet(), maxSteps: Int = defaultMaxSteps, approve: Bool = false,
        environment: CommandEnvironment? = nil
    ) {
        self.tools = tools
        self.maxSteps = maxSteps
        self.approve = approve
        self.environment = environment
    }
}

/// The tool loop: a model call, its tool calls checked and run (those of one step at once), the assistant turn
/// and the results (in call order) appended to the messages, and again, until the model answers without tool
/// calls or `maxSteps` calls were made (`tool_loop`).
///
/// With a schema every step asks for it (Anthropic's `answer` tool offered beside the others, a tool call forced
/// each turn) and the final answer (a step without tool calls, or Anthropic's call of `answer`, whose other calls
/// of the same step are dropped unrun) is validated as `runAnswer` does: a failed one is sent back with its
/// errors up to `settings.repairs` times, each repair one more step (whose answer may call tools again; none is
/// made once `maxSteps` calls were made, the failure is then the outcome).
extension Runner {
    /// Runs a request with tools to its end.
    /// - Throws: `AIError`: `input` for a bad definition in the request's `tools`, a schema that is not one, or a
    ///   tool named `answer` with a schema; `tool_loop` when the model still calls tools after `maxSteps` model
    ///   calls (with the usage of all); `schema` when the last final answer fails the schema (with the usage of
    ///   all); any failure of a model call, with the usage of the steps before it.
    func runTools(_ request: CompletionRequest, stream: Bool, observer: (any RunObserver)?) throws -> Completion {
        let options = tools ?? ToolOptions()
        var offered = options.tools
        for (index, json) in (request.tools ?? []).enumerated() {
            let place = "field 'tools'[\(index)]"
            let definition = try ToolDefinition.decode(json, place: place)
            try offered.add(definition, place: place, compiled: try requestToolSchema(definition.parameters, place))
        }
        var schema: Schema?
        if let json = request.schema ?? settings.defaults.schema {
            schema = try compile(json).0
            if offered.tool(named: ProviderAnswer.toolName) != nil {
                throw AIError(
                    .input,
                    "a tool named '\(ProviderAnswer.toolName)' cannot be offered with a schema: the name is the"
                        + " answer's (rename the tool)")
            }
        }
        var repairs = 0
        var current = request
        current.toolSpecs = offered.specs
        current.tools = nil
        let started = Monotonic.now()
        let later = observer.map(ContinuedObserver.init)
        var spent: Usage?
        var cost: Cost?
        var firstByte: Int?
        var steps = 0
        while true {
            var completion: Completion
            do {
                completion = try runStep(
                    current, stream: stream, keepText: true, observer: steps == 0 ? observer : later,
                    validate: false)
            } catch var error as AIError {
                if let spent { error.tokens = (error.tokens.map(Usage.init).map { $0 + spent } ?? spent).tokens }
                throw error
            }
            steps += 1
            if let usage = completion.usage { spent = spent.map { $0 + usage } ?? usage }
            if let more = completion.cost {
                cost = Cost(input: (cost?.input ?? 0) + more.input, output: (cost?.output ?? 0) + more.output)
            }
            if steps == 1 { firstByte = completion.timing.firstByteMilliseconds }
            if completion.toolCalls.isEmpty {
                if let schema {
                    let failure = Self.schemaFailure(completion, schema: schema)
                    if var error = failure.error {
                        // A repair is one more model call: never past `maxSteps`.
                        guard repairs < settings.repairs, steps < options.maxSteps else {
                            error.tokens = spent?.tokens
                            throw error
                        }
                        repairs += 1
                        settings.reporter.warning("\(error.message); asking for a repair (repair \(repairs))")
                        current.messages.append(Message(role: "assistant", text: completion.content))
                        current.messages.append(Message(role: "user", text: Self.repairPrompt(error)))
                        continue
                    }
                    completion.data = failure.value
                }
                completion.usage = spent
                completion.cost = cost
                completion.steps = steps
                completion.timing = Timing(
                    firstByteMilliseconds: firstByte, totalMilliseconds: Int((Monotonic.now() - started) * 1000))
                return completion
            }
            guard steps < options.maxSteps else {
                var error = AIError(
                    .toolLoop,
                    "the model was still calling tools after \(steps) model call\(steps == 1 ? "" : "s")"
                        + " (--max-steps \(options.maxSteps))")
                error.tokens = spent?.tokens
                throw error
            }
            var calls = completion.toolCalls
            for index in calls.indices where (calls[index].id ?? "").isEmpty {
                calls[index].id = "call_\(steps)_\(index)"
            }
            completion.toolCalls = calls
            current.messages.append(completion.message)
            let outputs = try answer(calls, tools: offered, options: options, observer: observer)
            for (call, output) in zip(calls, outputs) {
                current.messages.append(
                    Message(
                        toolResult: output.content, callID: call.id ?? "", name: call.name ?? "",
                        isError: output.isError))
            }
        }
    }

    /// The results of one step's calls, in call order: each is checked (unknown name, invalid arguments), approved
    /// when `--approve` asks, then the approved ones run at once.
    private func answer(
        _ calls: [ToolCall], tools: ToolSet, options: ToolOptions, observer: (any RunObserver)?
    ) throws -> [ToolOutput] {
        for call in calls { try observer?.toolCall(call) }
        var checks = calls.map { tools.check(name: $0.name, arguments: $0.arguments) }
        if options.approve {
            for (index, call) in calls.enumerated() {
                guard case .ready(let tool, _) = checks[index] else { continue }
                let name = tool.definition.name
                switch ToolApproval.ask(name: name, arguments: call.arguments) {
                case .yes: break
                case .no:
                    checks[index] = .refused(
                        ToolOutput(content: "tool '\(name)' was not run: the user refused", isError: true))
                case .noTerminal:
                    checks[index] = .refused(
                        ToolOutput(
                            content: "tool '\(name)' was not run: --approve found no terminal to ask on",
                            isError: true))
                }
            }
        }
        let environment = options.environment ?? commandEnvironment
        let work: @Sendable (ToolSet.Check) -> (ToolOutput, Int) = { check in
            switch check {
            case .refused(let output): return (output, 0)
            case .ready(let tool, let arguments):
                let started = Monotonic.now()
                let output = tools.run(tool, arguments: arguments, environment: environment)
                return (output, Int((Monotonic.now() - started) * 1000))
            }
        }
        let running = checks.filter { if case .ready = $0 { true } else { false } }.count
        let results = running > 1 ? Threads.map(checks, work) : checks.map(work)
        for (call, result) in zip(calls, results) {
            try observer?.toolResult(call, output: result.0, milliseconds: result.1)
        }
        return results.map(\.0)
    }

    /// What command tools get by default: the run's environment, never a provider's key variable (OpenAI's,
    /// Anthropic's, and every key the config file names), whatever a definition's `env` lists.
    var commandEnvironment: CommandEnvironment {
        CommandEnvironment(values: settings.environment.values, withheld: settings.keyVariables)
    }

    /// The compiled `parameters` of a tool a request defines, kept for the next request with the same one.
    private func requestToolSchema(_ json: JSON, _ place: String) throws(AIError) -> Schema {
        if let kept = toolSchemas.first(where: { $0.json == json }) { return kept.schema }
        let schema: Schema
        do { schema = try Schema(json) } catch {
            throw AIError(.input, "\(place): 'parameters' is not a JSON Schema: \(error.message)")
        }
        if toolSchemas.count >= 32 { toolSchemas.removeFirst() }
        toolSchemas.append((json, schema))
        return schema
    }
}
