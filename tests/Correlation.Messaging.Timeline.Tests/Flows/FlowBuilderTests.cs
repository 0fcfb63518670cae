using Correlation.Messaging.Timeline.Flows;
using static Correlation.Messaging.Timeline.Tests.LogLines;

namespace Correlation.Messaging.Timeline.Tests.Flows;

public sealed class FlowBuilderTests
{
    [Fact]
    public void BuildAll_InterleavedFlows_AreSeparatedAndListedMostRecentFirst()
    {
        var records = ParseAll(
            Flat(0, "flow-a", "api", "a1"),
            Flat(1, "flow-b", "api", "b1"),
            Flat(2, "flow-a", "worker", "a2", messageId: "ma", causationId: null),
            Flat(3, "flow-b", "worker", "b2", messageId: "mb"),
            Flat(4, "flow-a", "worker", "a3", messageId: "ma"),
            Flat(9, "flow-b", "worker", "b3", messageId: "mb"));

        var flows = FlowBuilder.BuildAll(records);

        flows.Select(f => f.CorrelationId).ShouldBe(["flow-b", "flow-a"]);
        flows[1].Records.Select(r => r.Step).ShouldBe(["a1", "a2", "a3"]);
        flows[0].Records.Select(r => r.Step).ShouldBe(["b1", "b2", "b3"]);
        flows[0].Duration.ShouldBe(TimeSpan.FromMilliseconds(8));
        flows[1].Services.ShouldBe(["api", "worker"]);
        flows[1].MessageCount.ShouldBe(1);
    }

    [Fact]
    public void Build_LinesOutOfOrderInTheFile_AreSortedByTime()
    {
        var flow = Flow(
            Flat(30, "c", "svc", "third"),
            Flat(10, "c", "svc", "first"),
            Flat(20, "c", "svc", "second"));

        flow.Records.Select(r => r.Step).ShouldBe(["first", "second", "third"]);
    }

    [Fact]
    public void Build_FanOut_ChildrenAreBranchesOfTheirCause()
    {
        var flow = Flow(
            Flat(0, "c", "worker", "consume order", messageId: "m1"),
            Flat(10, "c", "inventory", "line 1", messageId: "k1", causationId: "m1"),
            Flat(11, "c", "inventory", "line 2", messageId: "k2", causationId: "m1"),
            Flat(12, "c", "inventory", "line 3", messageId: "k3", causationId: "m1"),
            Flat(20, "c", "fulfilment", "ship 2", messageId: "s2", causationId: "k2"));

        var root = flow.Roots.ShouldHaveSingleItem();
        root.MessageId.ShouldBe("m1");
        root.CauseMissing.ShouldBeFalse();
        root.Children.Select(c => c.MessageId).ShouldBe(["k1", "k2", "k3"]);
        root.Children[1].Children.ShouldHaveSingleItem().MessageId.ShouldBe("s2");
        root.Children[1].Children[0].Depth.ShouldBe(2);
        flow.MessageCount.ShouldBe(5);
    }

    [Fact]
    public void Build_CauseNotInTheLogs_AttachesToTheRootWithAMarker()
    {
        var flow = Flow(
            Flat(0, "c", "worker", "consume", messageId: "m1"),
            Flat(5, "c", "inventory", "orphan", messageId: "k9", causationId: "lost-message"));

        flow.Roots.Select(r => r.MessageId).ShouldBe(["m1", "k9"]);
        flow.Roots[0].CauseMissing.ShouldBeFalse();
        flow.Roots[1].CauseMissing.ShouldBeTrue();
        flow.Roots[1].CausationId.ShouldBe("lost-message");
    }

    [Fact]
    public void Build_LinesWithoutMessageId_FormOneHandlingPerService()
    {
        var flow = Flow(
            Flat(0, "c", "api", "POST /orders"),
            Flat(3, "c", "api", "published"),
            Flat(5, "c", "worker", "consume", messageId: "m1"));

        flow.Handlings.Count.ShouldBe(2);
        flow.Roots[0].MessageId.ShouldBeNull();
        flow.Roots[0].Records.Count.ShouldBe(2);
        flow.Roots[0].Duration.ShouldBe(TimeSpan.FromMilliseconds(3));
    }

    [Fact]
    public void Build_ChildLoggedBeforeItsCauseByAnotherService_KeepsTheTreeAndReportsSkew()
    {
        // inventory's clock is ~40 ms behind: its first line is earlier than the worker line that produced its message.
        var flow = Flow(
            Flat(100, "c", "worker", "consume", messageId: "m1"),
            Flat(110, "c", "worker", "produced k1", messageId: "m1"),
            Flat(70, "c", "inventory", "reserve", messageId: "k1", causationId: "m1"),
            Flat(80, "c", "inventory", "reserved", messageId: "k1", causationId: "m1"));

        var root = flow.Roots.ShouldHaveSingleItem();
        root.MessageId.ShouldBe("m1");
        var child = root.Children.ShouldHaveSingleItem();
        child.MessageId.ShouldBe("k1");
        child.ClockSkew.ShouldBe(TimeSpan.FromMilliseconds(30));
        flow.Skewed.ShouldHaveSingleItem().ShouldBeSameAs(child);
        flow.Records.Select(r => r.Step).ShouldBe(["reserve", "reserved", "consume", "produced k1"]);
    }

    [Fact]
    public void Build_ChildAfterItsCause_HasNoSkew()
    {
        var flow = Flow(
            Flat(0, "c", "worker", "consume", messageId: "m1"),
            Flat(5, "c", "inventory", "reserve", messageId: "k1", causationId: "m1"));

        flow.Skewed.ShouldBeEmpty();
        flow.Roots[0].Children[0].ClockSkew.ShouldBeNull();
    }

    [Fact]
    public void Build_FailureThenSuccessfulRetry_IsRetriedThenOk()
    {
        var flow = Flow(
            Flat(0, "c", "fulfilment", "ship", messageId: "s1", extra: ("attempt", 1)),
            Flat(5, "c", "fulfilment", "carrier timed out", messageId: "s1", level: "error", extra: ("exception", "System.TimeoutException: carrier")),
            Flat(2000, "c", "fulfilment", "ship", messageId: "s1", extra: ("attempt", 2)),
            Flat(2010, "c", "fulfilment", "shipped", messageId: "s1", extra: ("status", "completed")));

        var handling = flow.Handlings.ShouldHaveSingleItem();
        handling.Outcome.ShouldBe(HandlingOutcome.Retried);
        handling.Retries.ShouldBe(1);
        handling.Failures.ShouldBe(1);
        flow.Status.ShouldBe(FlowStatus.RetriedThenOk);
    }

    [Fact]
    public void Build_MassTransitRetryMarkers_CountRetries()
    {
        var flow = Flow(
            Flat(0, "c", "worker", "consume", messageId: "m1"),
            Flat(1, "c", "worker", "R-RETRY rabbitmq://localhost/orders m1 OrderPlaced", messageId: "m1", level: "warning"),
            Flat(50, "c", "worker", "consume", messageId: "m1"),
            Flat(51, "c", "worker", "R-RETRY rabbitmq://localhost/orders m1 OrderPlaced", messageId: "m1", level: "warning"),
            Flat(100, "c", "worker", "consumed", messageId: "m1"));

        var handling = flow.Handlings.ShouldHaveSingleItem();
        handling.Retries.ShouldBe(2);
        handling.Outcome.ShouldBe(HandlingOutcome.Retried);
    }

    [Fact]
    public void Build_FailureAsLastLine_IsFailed()
    {
        var flow = Flow(
            Flat(0, "c", "worker", "consume", messageId: "m1"),
            Flat(5, "c", "inventory", "reserve", messageId: "k1", causationId: "m1"),
            Flat(9, "c", "inventory", "R-FAULT kafka order-lines k1", messageId: "k1", causationId: "m1", level: "error"));

        flow.Status.ShouldBe(FlowStatus.Failed);
        flow.Roots[0].Children[0].Outcome.ShouldBe(HandlingOutcome.Failed);
        flow.Roots[0].Outcome.ShouldBe(HandlingOutcome.Ok);
    }

    [Fact]
    public void Build_AllGood_IsOk()
    {
        var flow = Flow(Flat(0, "c", "worker", "consume", messageId: "m1"), Flat(5, "c", "worker", "done", messageId: "m1"));

        flow.Status.ShouldBe(FlowStatus.Ok);
    }

    [Fact]
    public void Build_CausationLoop_IsCutInsteadOfRecursingForever()
    {
        var flow = Flow(
            Flat(0, "c", "a", "one", messageId: "m1", causationId: "m2"),
            Flat(5, "c", "b", "two", messageId: "m2", causationId: "m1"),
            Flat(6, "c", "a", "self", messageId: "m3", causationId: "m3"));

        flow.Roots.Count.ShouldBeGreaterThan(0);
        flow.Handlings.Count(h => h.CausationCycle).ShouldBe(1);
        foreach (var handling in flow.Handlings)
        {
            handling.Depth.ShouldBeLessThan(3);
        }
    }

    [Fact]
    public void Build_SameMessageHandledByTwoServices_ChildPicksTheHandlingThatStartedBeforeIt()
    {
        var flow = Flow(
            Flat(0, "c", "billing", "consume", messageId: "m1"),
            Flat(20, "c", "shipping", "consume", messageId: "m1"),
            Flat(25, "c", "carrier", "book", messageId: "k1", causationId: "m1"));

        flow.Handlings.Single(h => h.Service == "carrier").Parent!.Service.ShouldBe("shipping");
    }

    [Fact]
    public void Find_ExactCaseInsensitiveAndUniquePrefix_AreFound()
    {
        var flows = FlowBuilder.BuildAll(ParseAll(Flat(0, "ABC-123", "s", "x"), Flat(1, "abd-999", "s", "y")));

        FlowBuilder.Find(flows, "ABC-123").Flow!.CorrelationId.ShouldBe("ABC-123");
        FlowBuilder.Find(flows, "abc-123").Flow!.CorrelationId.ShouldBe("ABC-123");
        FlowBuilder.Find(flows, "abd").Flow!.CorrelationId.ShouldBe("abd-999");
        var ambiguous = FlowBuilder.Find(flows, "ab");
        ambiguous.Flow.ShouldBeNull();
        ambiguous.Ambiguous.Count.ShouldBe(2);
        FlowBuilder.Find(flows, "zzz").Flow.ShouldBeNull();
    }
}
