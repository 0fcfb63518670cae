using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.HandOff.HandOffAnalyzer>;

namespace Correlation.Messaging.Analyzers.Tests.HandOff;

public sealed class HandOffAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Correlation.Messaging;
        using MassTransit;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Routing;
        using Microsoft.Extensions.Hosting;

        public sealed record OrderPlaced(string Id);
        public sealed record Work(string OrderId);
        public sealed record CarriedWork(string OrderId, CorrelationContext? Context);

        """;

    public static TheoryData<string, string> HandOffs => new()
    {
        { "channel from a consumer", ConsumerAndService("Channel<Work>", "await {|CM0002:queue.Writer.WriteAsync(new Work(context.Message.Id))|};", "await foreach (var item in queue.Reader.ReadAllAsync(stoppingToken)) { }") },
        { "channel TryWrite from a consumer", ConsumerAndService("Channel<Work>", "{|CM0002:queue.Writer.TryWrite(new Work(context.Message.Id))|};", "while (queue.Reader.TryRead(out var item)) { }") },
        { "blocking collection", ConsumerAndService("BlockingCollection<Work>", "{|CM0002:queue.Add(new Work(context.Message.Id))|};", "foreach (var item in queue.GetConsumingEnumerable(stoppingToken)) { }") },
        { "concurrent queue", ConsumerAndService("ConcurrentQueue<Work>", "{|CM0002:queue.Enqueue(new Work(context.Message.Id))|};", "while (queue.TryDequeue(out var item)) { }") },
        { "string items", ConsumerAndService("ConcurrentQueue<string>", "{|CM0002:queue.Enqueue(context.Message.Id)|};", "while (queue.TryDequeue(out var item)) { }") },
        {
            "minimal API endpoint",
            Usings + """
            public static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder endpoints, Channel<Work> queue) =>
                    endpoints.MapPost("/orders/{id}", (string id) => {|CM0002:queue.Writer.TryWrite(new Work(id))|});
            }
            """ + Service("Channel<Work>", "await queue.Reader.ReadAsync(stoppingToken);")
        },
    };

    public static TheoryData<string, string> Fine => new()
    {
        { "item carries the context", ConsumerAndService("Channel<CarriedWork>", "queue.Writer.TryWrite(new CarriedWork(context.Message.Id, CorrelationContext.Current));", "while (queue.Reader.TryRead(out var item)) { }") },
        { "tuple carries the context", ConsumerAndService("ConcurrentQueue<(Work, CorrelationContext?)>", "queue.Enqueue((new Work(context.Message.Id), CorrelationContext.Current));", "while (queue.TryDequeue(out var item)) { }") },
        { "never read by a hosted service", ConsumerAndService("Channel<Work>", "queue.Writer.TryWrite(new Work(context.Message.Id));", "await Task.Yield();") },
        { "read as another item type", ConsumerAndService("Channel<Work>", "queue.Writer.TryWrite(new Work(context.Message.Id));", "await Task.Yield();") + "\npublic sealed class OtherWorker(Channel<string> other) : BackgroundService { protected override Task ExecuteAsync(CancellationToken t) { other.Reader.TryRead(out _); return Task.CompletedTask; } }" },
        {
            "written outside a flow",
            Usings + """
            public static class Seeder
            {
                public static void Seed(Channel<Work> queue) => queue.Writer.TryWrite(new Work("seed"));
            }
            """ + Service("Channel<Work>", "await queue.Reader.ReadAsync(stoppingToken);")
        },
        { "written and read in the same flow", ConsumerAndService("ConcurrentQueue<Work>", "queue.Enqueue(new Work(context.Message.Id)); queue.TryDequeue(out _);", "await Task.Yield();") },
    };

    [Theory]
    [MemberData(nameof(HandOffs))]
    public async Task Analyzer_HandOffWithoutContext_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(Fine))]
    public async Task Analyzer_ContextCarriedOrNoHandOff_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    /// <summary>A MassTransit consumer running <paramref name="statement"/> and a BackgroundService running <paramref name="read"/>.</summary>
    private static string ConsumerAndService(string collection, string statement, string read) => Usings + $$"""
        public sealed class OrderPlacedConsumer({{collection}} queue) : MassTransit.IConsumer<OrderPlaced>
        {
            public async Task Consume(ConsumeContext<OrderPlaced> context)
            {
                {{statement}}
                await Task.Yield();
            }
        }
        """ + Service(collection, read);

    private static string Service(string collection, string read) => $$"""


        public sealed class Worker({{collection}} queue) : BackgroundService
        {
            protected override async Task ExecuteAsync(CancellationToken stoppingToken)
            {
                {{read}}
                await Task.Yield();
            }
        }
        """;
}
