using System.Globalization;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq;
using MassTransit;
using RabbitMQ.Client;

namespace Correlation.Messaging.FaultHost;

/// <summary>
/// The message of the RabbitMQ crash scenario. The URN is fixed, so the test assembly's type of the same shape and URN
/// is the same message to MassTransit.
/// </summary>
[MessageUrn("Correlation.Messaging.Reliability:RabbitMqCrashMessage")]
public sealed record RabbitMqCrashMessage(int Index, string ExpectedId);

/// <summary>
/// A RabbitMQ consumer that is meant to be killed: it receives through the correlation package and never acknowledges,
/// so every delivery it holds is unacked when it dies.
/// </summary>
/// <remarks>
/// Options: <c>--uri amqp://…</c>, <c>--queue</c>, <c>--expect N</c> (deliveries to hold; also the prefetch count),
/// <c>--api masstransit|client</c> (default <c>masstransit</c>: a receive endpoint with <c>UseCorrelationPropagation</c>,
/// prefetch and concurrency N, whose handler never returns; <c>client</c>: a <see cref="CorrelatingBasicConsumer"/> with
/// <c>autoAck: false</c> and <c>basic.qos</c> N that never acks). Output, one line each: <c>ready</c>, then
/// <c>received &lt;index&gt; &lt;correlation ID&gt; &lt;message ID&gt; &lt;redelivered&gt;</c> (the IDs are the ambient
/// context inside the handler), then <c>holding &lt;count&gt;</c>.
/// </remarks>
internal static class RabbitMqCrashConsumer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var uri = new Uri(Option(args, "--uri"));
        var queue = Option(args, "--queue");
        var expect = int.Parse(Option(args, "--expect"), CultureInfo.InvariantCulture);
        var api = Option(args, "--api", "masstransit");
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var received = 0;

        void Received(string index, bool redelivered)
        {
            var context = CorrelationContext.Current!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"received {index} {context.CorrelationId} {context.MessageId} {redelivered}"));
            if (Interlocked.Increment(ref received) == expect)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holding {expect}"));
            }
        }

        if (api == "client")
        {
            var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.BasicQosAsync(0, (ushort)expect, global: false);
            var consumer = new CorrelatingBasicConsumer(channel, propagator);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                Received(System.Text.Encoding.UTF8.GetString(delivery.Body.Span), delivery.Redelivered); // the body is the index
                return Task.CompletedTask; // no BasicAck: the delivery stays unacked
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        }
        else
        {
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host(uri);
                cfg.UseCorrelationPropagation(propagator);
                cfg.ReceiveEndpoint(queue, e =>
                {
                    e.PrefetchCount = expect;
                    e.ConcurrentMessageLimit = expect;
                    e.Handler<RabbitMqCrashMessage>(async c =>
                    {
                        Received(c.Message.Index.ToString(CultureInfo.InvariantCulture), c.ReceiveContext.Redelivered);
                        await Task.Delay(Timeout.Infinite); // never completes, so MassTransit never acks
                    });
                });
            });
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await bus.StartAsync(cts.Token);
        }

        Console.WriteLine("ready");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static string Option(string[] args, string name, string? fallback = null)
    {
        var i = Array.IndexOf(args, name);
        if (i >= 0 && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        return fallback ?? throw new ArgumentException($"missing option {name}");
    }
}
