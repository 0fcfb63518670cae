using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Integration;
using Correlation.Messaging.Kafka.Tests.Reliability;
using Correlation.Messaging.Propagation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Kafka.Tests.Hosting;

[Collection(KafkaCollection.Name)]
public sealed class HostedConsumerTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AddKafkaConsumer_TopicCreatedAfterStart_RetriesThenHandlesWithIdOnEveryHandlerLine()
    {
        KafkaMockControl.Require("creating a topic after the consumer started");
        var topic = KafkaFixture.NewTopic("hosted-late");
        var probe = new HandlerProbe();
        await using var harness = HostedConsumerHarness.Create(kafka, topic, "g-" + topic, probe);
        await harness.Host.StartAsync(TestContext.Current.CancellationToken);

        // The topic does not exist yet: the consumer reports it, keeps going, and the host keeps running.
        (await TestSupport.Eventually.TrueAsync(() => harness.Logs.WithEventName("ConsumeErrorRetrying").Any() || harness.Logs.WithEventName("ClientError").Any(), Wait))
            .ShouldBeTrue("the missing topic was never reported");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        await KafkaMockControl.TryCreateTopicAsync(topic, 1, TestContext.Current.CancellationToken);
        var flows = await HostedConsumerHarness.ProduceAsync(kafka, topic, [("k", "late-1", null), ("k", "late-2", null)]);

        (await TestSupport.Eventually.TrueAsync(() => probe.Handled.Count == 2, Wait)).ShouldBeTrue("the records were not handled after the topic appeared");
        harness.Logs.WithEventName("ConsumeErrorFatal").ShouldBeEmpty();
        foreach (var (record, context) in probe.Handled)
        {
            context.ShouldNotBeNull().CorrelationId.ShouldBe(flows[record.Message.Value]);
        }

        var handlerLines = harness.Logs.Logs.Where(l => l.Category == typeof(ProbeHandler).FullName).ToList();
        handlerLines.Count.ShouldBe(2);
        handlerLines.ShouldAllBe(l => l.CorrelationId == flows[l.Message.Split(' ', StringSplitOptions.None)[1]]);
    }

    [Fact]
    public async Task AddKafkaConsumer_HandlerAlwaysFails_RetriesThenDeadLettersWithSameCorrelationHeaders()
    {
        var topic = KafkaFixture.NewTopic("hosted-dlt");
        var deadLetters = topic + ".dlt";
        await kafka.TryCreateTopicAsync(topic, 1);
        await kafka.TryCreateTopicAsync(deadLetters, 1);
        var probe = new HandlerProbe { Behaviour = (_, _) => throw new InvalidOperationException("stock service down") };
        await using var harness = HostedConsumerHarness.Create(kafka, topic, "g-" + topic, probe, o =>
        {
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.DeadLetterTopic = deadLetters;
        });

        using var producer = kafka.CorrelatingProducer(new CorrelationPropagator(new CorrelationOptions()));
        DeliveryResult<string, string> sent;
        using (CorrelationContext.BeginScope(new CorrelationContext("dlt-flow-1", causationId: "cause-7")))
        {
            sent = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "poison" }, TestContext.Current.CancellationToken);
        }

        await harness.Host.StartAsync(TestContext.Current.CancellationToken);
        using var dltConsumer = kafka.AssignedConsumer(deadLetters);
        ConsumeResult<string, string>? dead = null;
        KafkaFixture.Until(() => dead is not null, () => dead = dltConsumer.Consume(TimeSpan.FromMilliseconds(200)), "nothing reached the dead-letter topic");

        probe.Attempts["poison"].ShouldBe(3);
        dead!.Message.Key.ShouldBe("k");
        dead.Message.Value.ShouldBe("poison");
        sent.Message.Headers.Select(h => h.Key).ShouldContain(CorrelationHeaders.FlowMetadata);
        foreach (var header in sent.Message.Headers)
        {
            Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(header.Key)).ShouldBe(Encoding.UTF8.GetString(header.GetValueBytes()), header.Key);
        }

        Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes("X-Dead-Letter-Source")).ShouldBe($"{topic}:0:{sent.Offset.Value}");
        Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes("X-Dead-Letter-Reason")).ShouldBe("System.InvalidOperationException: stock service down");

        // Two retries and the dead-letter line, all inside the record's scope; the host keeps running.
        harness.Logs.WithEventName("HandlerRetrying").Select(l => l.CorrelationId).ShouldBe(["dlt-flow-1", "dlt-flow-1"]);
        harness.Logs.WithEventName("RecordDeadLettered").Single().CorrelationId.ShouldBe("dlt-flow-1");
        harness.Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task AddKafkaConsumer_HandlerFailsWithoutDeadLetterTopic_StopsHostWithoutCommitting()
    {
        var topic = KafkaFixture.NewTopic("hosted-nodlt");
        await kafka.TryCreateTopicAsync(topic, 1);
        var probe = new HandlerProbe { Behaviour = (r, _) => r.Message.Value == "bad" ? throw new InvalidOperationException("boom") : Task.CompletedTask };
        await HostedConsumerHarness.ProduceAsync(kafka, topic, [("k", "good", null), ("k", "bad", null), ("k", "after", null)]);
        await using var harness = HostedConsumerHarness.Create(kafka, topic, "g-" + topic, probe, o =>
        {
            o.MaxRetries = 1;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
        });
        await harness.Host.StartAsync(TestContext.Current.CancellationToken);

        var lifetime = harness.Host.Services.GetRequiredService<IHostApplicationLifetime>();
        (await TestSupport.Eventually.TrueAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, Wait)).ShouldBeTrue("the host was not stopped");
        var line = harness.Logs.WithEventName("RecordNotDeadLettered").Single();
        line.Level.ShouldBe(LogLevel.Critical);
        line.CorrelationId.ShouldStartWith("flow-bad-");
        probe.Handled.Select(h => h.Record.Message.Value).ShouldBe(["good"]); // "after" was never handled
        await harness.Host.StopAsync(TestContext.Current.CancellationToken);

        // Committed: "good" only. A new member of the group starts at "bad".
        using var check = kafka.Consumer("g-" + topic);
        var committed = check.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10));
        committed.Single().Offset.Value.ShouldBe(1);
    }

    [Fact]
    public async Task AddKafkaConsumer_ParallelPartitions_KeepsOrderWithinEachPartition()
    {
        const int partitions = 4;
        const int perPartition = 25;
        var topic = KafkaFixture.NewTopic("hosted-order");
        (await kafka.TryCreateTopicAsync(topic, partitions)).ShouldBeTrue("this test needs a topic with 4 partitions (mock control port)");
        var probe = new HandlerProbe
        {
            Behaviour = (r, ct) => Task.Delay(Random.Shared.Next(0, 8), ct),
        };
        var values = Enumerable.Range(0, perPartition)
            .SelectMany(i => Enumerable.Range(0, partitions).Select(p => ((string?)null, $"p{p}-{i:D3}", (int?)p)))
            .ToList();
        var flows = await HostedConsumerHarness.ProduceAsync(kafka, topic, values);
        await using var harness = HostedConsumerHarness.Create(kafka, topic, "g-" + topic, probe, o => o.MaxDegreeOfParallelism = partitions);
        await harness.Host.StartAsync(TestContext.Current.CancellationToken);

        (await TestSupport.Eventually.TrueAsync(() => probe.Handled.Count == partitions * perPartition, Wait))
            .ShouldBeTrue($"handled {probe.Handled.Count} of {partitions * perPartition}");
        foreach (var group in probe.Handled.GroupBy(h => h.Record.Partition.Value))
        {
            var order = group.Select(h => h.Record.Message.Value).ToList();
            order.ShouldBe(order.Order(StringComparer.Ordinal).ToList(), $"partition {group.Key} out of order");
            order.ShouldAllBe(v => v.StartsWith($"p{group.Key}-", StringComparison.Ordinal));
        }

        probe.MaxRunning.ShouldBeGreaterThan(1, "partitions were never handled in parallel");
        probe.Handled.ShouldAllBe(h => h.Context != null && h.Context.CorrelationId == flows[h.Record.Message.Value]);
        var handlerLines = harness.Logs.Logs.Where(l => l.Category == typeof(ProbeHandler).FullName).ToList();
        handlerLines.Count.ShouldBe(partitions * perPartition);
        handlerLines.ShouldAllBe(l => l.CorrelationId == flows[l.Message.Split(' ', StringSplitOptions.None)[1]]);
    }

    [Fact]
    public async Task AddKafkaConsumer_BufferFullWithSlowHandler_PausesAndResumesWithoutLosingOrSkipping()
    {
        var topic = KafkaFixture.NewTopic("hosted-pause");
        await kafka.TryCreateTopicAsync(topic, 1);
        var probe = new HandlerProbe { Behaviour = (_, ct) => Task.Delay(5, ct) };
        var values = Enumerable.Range(0, 40).Select(i => ((string?)"k", $"r-{i:D3}", (int?)0)).ToList();
        await HostedConsumerHarness.ProduceAsync(kafka, topic, values);
        await using var harness = HostedConsumerHarness.Create(kafka, topic, "g-" + topic, probe, o => o.BufferedRecordsPerPartition = 1);
        await harness.Host.StartAsync(TestContext.Current.CancellationToken);

        (await TestSupport.Eventually.TrueAsync(() => probe.Handled.Count >= 40, Wait)).ShouldBeTrue($"handled {probe.Handled.Count} of 40");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        probe.Handled.Select(h => h.Record.Message.Value).ShouldBe(values.Select(v => v.Item2)); // each once, in order
    }

    [Theory]
    [InlineData(KafkaCommitStrategy.AfterEachRecord)]
    [InlineData(KafkaCommitStrategy.Batched)]
    public async Task AddKafkaConsumer_StopThenRestartInSameGroup_CommitsClosesAndResumesWithoutStall(KafkaCommitStrategy strategy)
    {
        var topic = KafkaFixture.NewTopic("hosted-restart");
        await kafka.TryCreateTopicAsync(topic, 1);
        var group = "g-" + topic;
        // KIP-848 groups: the mock completes a rejoin after Close() in ~0.2 s (classic groups wait session.timeout.ms - 1 s
        // on the mock even after a clean leave). The broker owns the session timeout: 45 s by default.
        Action<ConsumerConfig> realisticSession = c =>
        {
            c.GroupProtocol = GroupProtocol.Consumer;
            c.SessionTimeoutMs = null;
            c.HeartbeatIntervalMs = null;
        };
        Action<KafkaConsumerOptions> options = o =>
        {
            o.CommitStrategy = strategy;
            o.CommitInterval = TimeSpan.FromSeconds(30); // longer than the test: only the shutdown commit can commit
        };
        await HostedConsumerHarness.ProduceAsync(kafka, topic, Enumerable.Range(0, 5).Select(i => ((string?)"k", $"first-{i}", (int?)null)));

        var first = new HandlerProbe();
        await using (var harness = HostedConsumerHarness.Create(kafka, topic, group, first, options, realisticSession))
        {
            await harness.Host.StartAsync(TestContext.Current.CancellationToken);
            (await TestSupport.Eventually.TrueAsync(() => first.Handled.Count == 5, Wait)).ShouldBeTrue("the first consumer did not handle the records");
            await harness.Host.StopAsync(TestContext.Current.CancellationToken);
            harness.Logs.WithEventName("ConsumerStopped").ShouldHaveSingleItem();
        }

        await HostedConsumerHarness.ProduceAsync(kafka, topic, Enumerable.Range(0, 3).Select(i => ((string?)"k", $"second-{i}", (int?)null)));
        var second = new HandlerProbe();
        await using var restarted = HostedConsumerHarness.Create(kafka, topic, group, second, options, realisticSession);
        var clock = Stopwatch.StartNew();
        await restarted.Host.StartAsync(TestContext.Current.CancellationToken);
        (await TestSupport.Eventually.TrueAsync(() => second.Handled.Count == 3, TimeSpan.FromSeconds(20)))
            .ShouldBeTrue($"the restarted consumer handled {second.Handled.Count} of 3 in 20 s (a member that left without Close() holds the partition until its session times out)");
        clock.Stop();
        second.Handled.Select(h => h.Record.Message.Value).ShouldBe(["second-0", "second-1", "second-2"]); // nothing handled twice
        TestContext.Current.TestOutputHelper?.WriteLine($"restarted consumer handled its first records after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task AddKafkaConsumer_InvalidOptions_HostFailsToStartWithNamedMember()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(new HandlerProbe());
        builder.Services.AddKafkaConsumer<string, string, ProbeHandler>(
            "orders",
            new ConsumerConfig { BootstrapServers = "localhost:1", GroupId = "g" },
            o => o.MaxDegreeOfParallelism = 0);
        using var host = builder.Build();

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        ex.Message.ShouldContain(nameof(KafkaConsumerOptions.MaxDegreeOfParallelism));
    }

    [Fact]
    public void AddKafkaConsumer_NoGroupId_Throws()
    {
        var services = new ServiceCollection();
        Should.Throw<ArgumentException>(() => services.AddKafkaConsumer<string, string, ProbeHandler>("orders", new ConsumerConfig { BootstrapServers = "localhost:1" }))
            .ParamName.ShouldBe("config");
    }
}
