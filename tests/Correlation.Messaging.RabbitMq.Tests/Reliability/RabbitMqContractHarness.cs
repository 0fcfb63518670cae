using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Correlation.Messaging.Contracts;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests.Reliability;

/// <summary>The inbound message of the contract harness, as a foreign producer writes it in a MassTransit envelope.</summary>
public sealed record ContractMessage(string Body);

/// <summary>The message the contract harness's handler sends downstream through MassTransit.</summary>
public sealed record ContractDownstream(string Body);

/// <summary>
/// The contract harness on RabbitMQ: a MassTransit bus (built like an application's, through <c>AddMassTransit</c> and
/// <c>cfg.UseCorrelationPropagation(context)</c>) consuming a durable queue of its own, RabbitMQ.Client as the foreign
/// producer of MassTransit envelopes and as the raw reader of the downstream queue, and the management API as the reader
/// of the error queue.
/// </summary>
/// <remarks>
/// <para>
/// The foreign producer writes the envelope's <c>messageId</c> to the AMQP <c>message_id</c> as well, as MassTransit
/// does, so the handled message's ID is the same whichever the adapter reads.
/// <see cref="RawHeader.NativeCorrelationId"/> becomes the AMQP <c>correlation_id</c> (a short string: byte values are
/// decoded as UTF-8, as RabbitMQ.Client would have to).
/// </para>
/// <para>
/// The failure path is MassTransit's: a message whose ID the policy rejects lands in <c>&lt;queue&gt;_error</c> with its
/// body and properties. The queues are durable so that another connection can read the error queue; they are deleted
/// when the harness is disposed.
/// </para>
/// </remarks>
public sealed class RabbitMqContractHarness : IRelayContractHarness
{
    private readonly RabbitMqFixture _fixture;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IChannel _channel;
    private readonly ConcurrentDictionary<string, byte> _failed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CorrelationContext?> _afterHandler = new();
    private TestBus? _bus;

    private RabbitMqContractHarness(RabbitMqFixture fixture, CorrelationOptions options, IChannel channel, string inbound, string downstream)
    {
        _fixture = fixture;
        _channel = channel;
        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Propagator = new CorrelationPropagator(options, _loggerFactory);
        InboundQueue = inbound;
        DownstreamQueue = downstream;
    }

    /// <inheritdoc />
    public string Broker => "RabbitMQ";

    /// <inheritdoc />
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Gets the propagator of the bus (its options and the harness's logger factory).</summary>
    public CorrelationPropagator Propagator { get; }

    /// <summary>Gets the queue the raw producer writes and the bus consumes.</summary>
    public string InboundQueue { get; }

    /// <summary>Gets the queue the handler sends downstream to.</summary>
    public string DownstreamQueue { get; }

    /// <summary>Gets MassTransit's error queue of <see cref="InboundQueue"/>.</summary>
    public string ErrorQueue => InboundQueue + "_error";

    /// <summary>
    /// Creates a harness with unique queue names starting with <paramref name="prefix"/>; declares the downstream queue
    /// (as MassTransit's <c>queue:</c> address would: durable, not auto-deleted) so the raw reader never waits on a missing queue.
    /// </summary>
    public static async Task<RabbitMqContractHarness> CreateAsync(RabbitMqFixture fixture, CorrelationOptions options, string prefix = "contract")
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var inbound = fixture.NewQueueName(prefix);
        var downstream = fixture.NewQueueName(prefix + "-down");
        var channel = await (await fixture.ConnectionAsync()).CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(downstream, durable: true, exclusive: false, autoDelete: false);
        return new RabbitMqContractHarness(fixture, options, channel, inbound, downstream);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<CorrelationContext?> ContextsAfterHandler => _afterHandler;

    /// <inheritdoc />
    public Task StartConsumerAsync(Func<HandlerCall, Task> handler, CancellationToken cancellationToken) =>
        StartConsumerAsync(handler, configure: null);

    /// <summary>Starts the bus, with <paramref name="configure"/> applied to the receive endpoint (prefetch, concurrency).</summary>
    public async Task StartConsumerAsync(Func<HandlerCall, Task> handler, Action<IRabbitMqReceiveEndpointConfigurator>? configure)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_bus is not null)
        {
            throw new InvalidOperationException("The consumer is already running.");
        }

        var downstream = new Uri($"queue:{DownstreamQueue}");
        _bus = await _fixture.StartBusAsync(
            (_, cfg) => cfg.ReceiveEndpoint(InboundQueue, e =>
            {
                e.ConfigureReceive(r => r.UseFilter(new AfterHandlerProbe(_afterHandler)));
                configure?.Invoke(e);
                e.Handler<ContractMessage>(c => handler(new HandlerCall(
                    c.Message.Body,
                    c.MessageId?.ToString("D"),
                    async body => await (await c.GetSendEndpoint(downstream)).Send(new ContractDownstream(body)))));
            }),
            services: s =>
            {
                s.AddSingleton(_loggerFactory);
                s.AddSingleton(Propagator);
            });
    }

    /// <inheritdoc />
    public async Task SendRawAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var messageId = Guid.NewGuid();
        var properties = new BasicProperties
        {
            MessageId = messageId.ToString("D"),
            ContentType = RawPublisher.EnvelopeContentType,
            Persistent = true,
        };
        foreach (var header in headers)
        {
            if (header.Name == RawHeader.NativeCorrelationId)
            {
                properties.CorrelationId = header.Value switch
                {
                    byte[] bytes => Encoding.UTF8.GetString(bytes),
                    var other => other?.ToString(),
                };
            }
            else
            {
                (properties.Headers ??= new Dictionary<string, object?>(StringComparer.Ordinal))[header.Name] = header.Value;
            }
        }

        await _channel.BasicPublishAsync(
            string.Empty,
            InboundQueue,
            mandatory: true,
            properties,
            RawPublisher.Envelope<ContractMessage>(new { body }, messageId),
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The relay publishes with RabbitMQ.Client's <c>WithCorrelation</c>: MassTransit's own outbox restores stored headers
    /// after the send filter has run (see the wire format), so a MassTransit send cannot stand for a relay here.
    /// </remarks>
    public async Task SendPreparedAsync(string body, IReadOnlyList<RawHeader> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var properties = new BasicProperties { ContentType = RawPublisher.EnvelopeContentType, Persistent = true, Headers = new Dictionary<string, object?>(StringComparer.Ordinal) };
        foreach (var header in headers)
        {
            properties.Headers[header.Name] = header.Value;
        }

        await _channel.BasicPublishWithCorrelationAsync(
            string.Empty,
            DownstreamQueue,
            RawPublisher.Envelope<ContractDownstream>(new { body }),
            properties,
            mandatory: true,
            propagator: Propagator,
            cancellationToken: cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ObservedMessage>> ReadDownstreamAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new List<ObservedMessage>();
        var deadline = DateTime.UtcNow + timeout;
        while (result.Count < count && DateTime.UtcNow < deadline)
        {
            var delivery = await _channel.BasicGetAsync(DownstreamQueue, autoAck: true, cancellationToken);
            if (delivery is null)
            {
                await Task.Delay(50, cancellationToken);
                continue;
            }

            var properties = delivery.BasicProperties;
            result.Add(new ObservedMessage(
                EnvelopeBody(delivery.Body.Span),
                HeaderText(properties.Headers, Propagator.HeaderName),
                HeaderText(properties.Headers, Propagator.CausationHeaderName),
                properties.MessageId));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<bool> ReachedFailurePathAsync(string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_failed.ContainsKey(body) && DateTime.UtcNow < deadline)
        {
            await ReadFailurePathAsync(cancellationToken);
            if (!_failed.ContainsKey(body))
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        return _failed.ContainsKey(body);
    }

    /// <summary>Reads the bodies of every message in the error queue so far (with the management API; they stay in the queue).</summary>
    public async Task<IReadOnlyCollection<string>> ReadFailurePathAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var message in await _fixture.Management.PeekAsync(ErrorQueue, 5_000))
        {
            _failed.TryAdd(EnvelopeBody(Encoding.UTF8.GetBytes(message.Payload)), 0);
        }

        return [.. _failed.Keys];
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
        else
        {
            await _fixture.CleanupAsync();
        }

        await _channel.CloseAsync();
        _channel.Dispose();
        _loggerFactory.Dispose();
    }

    /// <summary>Decodes a header value as a raw AMQP reader gets it: a long string arrives as bytes.</summary>
    private static string? HeaderText(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => null,
                var other => other.ToString(),
            }
            : null;

    /// <summary>Returns <c>message.body</c> of a MassTransit envelope.</summary>
    private static string EnvelopeBody(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetProperty("message").GetProperty("body").GetString() ?? string.Empty;
    }
}

/// <summary>
/// A receive filter outside the adapter's filters: records the ambient context on the receive pipe's own flow after the
/// rest of the pipe (the adapter's scope and the handler) returned.
/// </summary>
internal sealed class AfterHandlerProbe(ConcurrentQueue<CorrelationContext?> after) : IFilter<ReceiveContext>
{
    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        try
        {
            await next.Send(context);
        }
        finally
        {
            after.Enqueue(CorrelationContext.Current);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("correlationAfterHandlerProbe");
}
