using Microsoft.CodeAnalysis;

namespace Correlation.Messaging.Analyzers;

/// <summary>The diagnostics of Correlation.Messaging. The numbers follow the kinds of lost context they catch.</summary>
internal static class Descriptors
{
    public const string Category = "Correlation";

    public const string FlowSuppressedId = "CM0001";
    public const string HandOffId = "CM0002";
    public const string FireAndForgetId = "CM0003";
    public const string HandWrittenHeaderId = "CM0004";
    public const string ScopeMisuseId = "CM0005";
    public const string AmbientWriteInAsyncId = "CM0006";

    /// <summary>The property of a <see cref="ScopeMisuseId"/> diagnostic that tells the code fix what is wrong.</summary>
    public const string ScopeProblemProperty = "ScopeProblem";
    public const string ScopeNotDisposed = "NotDisposed";
    public const string ScopeStoredInField = "StoredInField";
    public const string ScopeDisposedTwice = "DisposedTwice";

    public static readonly DiagnosticDescriptor FlowSuppressed = new(
        FlowSuppressedId,
        "Execution-context flow is suppressed inside a correlated flow",
        "'{0}' does not flow the execution context: the work it starts inside this {1} runs without the correlation ID. Capture the context before and restore it in the callback.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "ExecutionContext.SuppressFlow, ThreadPool.UnsafeQueueUserWorkItem, CancellationToken.UnsafeRegister and Thread.UnsafeStart do not carry the ambient AsyncLocal values. Inside a consumer, a handler, a request handler or a correlation scope the work they start loses the correlation ID, so its log lines and the messages it sends are uncorrelated.",
        helpLinkUri: HelpLink(FlowSuppressedId));

    public static readonly DiagnosticDescriptor HandOff = new(
        HandOffId,
        "Work handed to a hosted service without its correlation context",
        "'{0}' hands a '{1}' from this {2} to a hosted service that reads it outside the flow; '{1}' carries no correlation context, so the work is uncorrelated there. Carry the captured context in the item and restore it in the reader.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A Channel<T>, BlockingCollection<T> or ConcurrentQueue<T> written inside a consumer, a handler or a correlation scope and read in a BackgroundService or IHostedService of the same project: the reader runs in the hosted service's own flow, which has no correlation ID. The item must carry the context (a CorrelationContext or a captured capsule) and the reader must restore it.",
        helpLinkUri: HelpLink(HandOffId),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor FireAndForget = new(
        FireAndForgetId,
        "Fire-and-forget task inside a correlated flow",
        "The task returned by '{0}' is not awaited inside this {1}: it may outlive the flow, and its failures and late log lines are no longer tied to the message or request",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A task started and not awaited inside a consumer, a handler or a correlation scope keeps running after the message was acknowledged or the response sent. Await it, or hand the work to a queue together with its captured context.",
        helpLinkUri: HelpLink(FireAndForgetId));

    public static readonly DiagnosticDescriptor HandWrittenHeader = new(
        HandWrittenHeaderId,
        "Correlation header written by hand",
        "The header '{0}' is written by the Correlation.Messaging {1} adapter; writing it by hand duplicates or overrides the propagated value",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The adapters write the correlation, causation and message ID headers from the ambient context on every send. A literal header name written by hand next to them conflicts with the propagated value: remove the write.",
        helpLinkUri: HelpLink(HandWrittenHeaderId));

    public static readonly DiagnosticDescriptor ScopeMisuse = new(
        ScopeMisuseId,
        "CorrelationScope misused",
        "The correlation scope {0}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A CorrelationScope must be disposed exactly once, in the flow that began it, normally with a using statement. A scope never disposed leaks its context into whatever runs next on the flow; a scope kept in a field outlives its flow; a scope declared with using and also disposed explicitly ends before the code that looks as if it ran inside it.",
        helpLinkUri: HelpLink(ScopeMisuseId));

    public static readonly DiagnosticDescriptor AmbientWriteInAsync = new(
        AmbientWriteInAsyncId,
        "Ambient correlation context set inside an async method",
        "Setting '{0}' inside the async {1} '{2}' is not seen by its caller after the await: return a CorrelationScope from a non-async method instead",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "AsyncLocal values set inside an async method are restored when the method returns to its caller. A helper that sets the correlation context and is awaited leaves its caller without it.",
        helpLinkUri: HelpLink(AmbientWriteInAsyncId));

    /// <summary>Where the help pages (<c>docs/analyzers/CMxxxx.md</c> of the repository) are published.</summary>
    public const string HelpBaseUri = "https://github.com/correlation-messaging/correlation-messaging/blob/main/docs/analyzers/";

    private static string HelpLink(string id) => HelpBaseUri + id + ".md";
}
