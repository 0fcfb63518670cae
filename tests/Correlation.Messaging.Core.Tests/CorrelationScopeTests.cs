using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Tests;

/// <summary>Defect 10 of issue 13: a scope disposed twice, or a disposed copy, must never restore an old context over a newer scope.</summary>
public sealed class CorrelationScopeTests
{
    [Fact]
    public void Dispose_Twice_DoesNotRestoreOldContextOverNewerScope()
    {
        var first = CorrelationContext.BeginScope(new CorrelationContext("first"));
        first.Dispose();
        using var newer = CorrelationContext.BeginScope(new CorrelationContext("newer"));

        first.Dispose();

        CorrelationContext.Current?.CorrelationId.ShouldBe("newer");
    }

    [Fact]
    public void Dispose_CopyAfterOriginal_DoesNotRestoreOldContextOverNewerScope()
    {
        using var outer = CorrelationContext.BeginScope(new CorrelationContext("outer"));
        var original = CorrelationContext.BeginScope(new CorrelationContext("inner"));
        var copy = original;
        original.Dispose();
        using var newer = CorrelationContext.BeginScope(new CorrelationContext("newer"));

        copy.Dispose();

        CorrelationContext.Current?.CorrelationId.ShouldBe("newer");
    }

    [Fact]
    public void Dispose_Twice_DoesNotCloseNewerLoggingScope()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("test");

        var first = propagator.BeginScope(new CorrelationContext("first"));
        first.Dispose();
        using var newer = propagator.BeginScope(new CorrelationContext("newer"));
        first.Dispose();
        logger.LogInformation("after the second dispose");

        logs.Logs.ShouldHaveSingleItem().CorrelationId.ShouldBe("newer");
    }

    [Fact]
    public void Dispose_OuterWithLeakedInner_ClosesBothContextAndLoggingScopes()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("test");

        var outer = propagator.BeginScope(new CorrelationContext("outer"));
        var leaked = propagator.BeginScope(new CorrelationContext("leaked"));
        outer.Dispose();
        logger.LogInformation("after the outer scope");
        leaked.Dispose();

        CorrelationContext.Current.ShouldBeNull();
        logs.Logs.ShouldHaveSingleItem().Scopes.ShouldBeEmpty();
    }
}
