namespace Correlation.Messaging.Analyzers.Tests.Infrastructure;

/// <summary>Source templates that put a statement inside (or outside) a correlated flow.</summary>
internal static class FlowSources
{
    public const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Confluent.Kafka;
        using Correlation.Messaging;
        using Correlation.Messaging.Kafka;
        using Correlation.Messaging.Propagation;
        using Correlation.Messaging.Sqs;
        using MassTransit;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Mvc;
        using Microsoft.AspNetCore.Routing;
        using static Saving;

        """;

    private const string Helpers = """


        internal static class Saving
        {
            public static ValueTask SaveAsync() => default;
        }
        """;

    /// <summary>A MassTransit consumer's <c>Consume</c>.</summary>
    public static string Consumer(string body) => Usings + $$"""
        public sealed record OrderPlaced(string Id);

        public sealed class OrderPlacedConsumer : MassTransit.IConsumer<OrderPlaced>
        {
            public async Task Consume(ConsumeContext<OrderPlaced> context)
            {
                var token = context.CancellationToken;
                {{body}}
                await Task.Yield();
            }

            private static void Work() { }
        }
        """ + Helpers;

    /// <summary>An ASP.NET Core controller action (or a <c>[NonAction]</c> method).</summary>
    public static string Controller(string body, bool nonAction = false) => Usings + $$"""
        [ApiController]
        public sealed class OrdersController : ControllerBase
        {
            {{(nonAction ? "[NonAction]" : "[HttpPost(\"/orders\")]")}}
            public IActionResult Place()
            {
                {{body}}
                return Ok();
            }

            private static void Work() { }
        }
        """ + Helpers;

    /// <summary>A plain method, with a context, a token, an endpoint builder and a Kafka consumer at hand.</summary>
    public static string Plain(string body) => Usings + $$"""
        public static class Worker
        {
            public static void Run(CorrelationContext context, CancellationToken token, IEndpointRouteBuilder endpoints, Confluent.Kafka.IConsumer<string, string> consumer, SqsMessageProcessor processor)
            {
                {{body}}
            }

            private static void Work() { }
        }
        """ + Helpers;
}
