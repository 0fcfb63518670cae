using Verify = Correlation.Messaging.Analyzers.Tests.Infrastructure.Verifier<
    Correlation.Messaging.Analyzers.HandWrittenHeader.HandWrittenHeaderAnalyzer,
    Correlation.Messaging.Analyzers.CodeFixes.RemoveHandWrittenHeaderCodeFix>;

namespace Correlation.Messaging.Analyzers.Tests.HandWrittenHeader;

public sealed class HandWrittenHeaderAnalyzerTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Text;
        using KafkaHeaders = Confluent.Kafka.Headers;
        using MassTransit;
        using Microsoft.AspNetCore.Http;
        using RabbitMQ.Client;
        using Correlation.Messaging.Propagation;
        using Amazon.SQS.Model;

        """;

    public static TheoryData<string, string> HandWrittenHeaders => new()
    {
        { "Kafka Headers.Add", Method("var headers = new KafkaHeaders(); headers.Add({|CM0004:\"X-Correlation-ID\"|}, Encoding.UTF8.GetBytes(\"c-1\"));") },
        { "Kafka collection initializer", Method("var headers = new KafkaHeaders { { {|CM0004:\"X-Causation-ID\"|}, new byte[1] } };") },
        { "HttpClient request", Method("using var request = new HttpRequestMessage(); request.Headers.TryAddWithoutValidation({|CM0004:\"x-correlation-id\"|}, \"c-1\");") },
        { "ASP.NET Core response indexer", Method("http.Response.Headers[{|CM0004:\"X-Correlation-ID\"|}] = \"c-1\";") },
        { "ASP.NET Core response Append", Method("http.Response.Headers.Append({|CM0004:\"X-Message-ID\"|}, \"m-1\");") },
        { "MassTransit send headers", Method("send.Headers.Set({|CM0004:\"X-Correlation-ID\"|}, \"c-1\");") },
        { "RabbitMQ properties initializer", Method("var outgoing = new BasicProperties { Headers = new Dictionary<string, object?> { [{|CM0004:\"X-Correlation-ID\"|}] = \"c-1\" } };") },
        { "RabbitMQ properties indexer", Method("properties.Headers![{|CM0004:\"X-Causation-ID\"|}] = \"m-0\";") },
        { "SQS attributes", Method("var attributes = new Dictionary<string, MessageAttributeValue> { [{|CM0004:\"X-Correlation-ID\"|}] = new MessageAttributeValue { DataType = \"String\", StringValue = \"c-1\" } };") },
    };

    public static TheoryData<string, string> OtherWrites => new()
    {
        { "header of the application's own", Method("var headers = new KafkaHeaders(); headers.Add(\"X-Tenant\", new byte[1]); http.Response.Headers[\"X-Tenant\"] = \"t\";") },
        { "read alias (never written by an adapter)", Method("var headers = new KafkaHeaders(); headers.Add(\"correlation-id\", new byte[1]); send.Headers.Set(\"rbs2-corr-id\", \"c-1\");") },
        { "named constant, not a literal", Method("http.Response.Headers[CorrelationHeaders.CorrelationId] = \"c-1\";") },
        { "reading a header", Method("var headers = new KafkaHeaders(); headers.TryGetLastBytes(\"X-Correlation-ID\", out _); var value = http.Request.Headers[\"X-Correlation-ID\"];") },
        { "dictionary that is no broker carrier", Method("var bag = new Dictionary<string, string> { [\"X-Correlation-ID\"] = \"c-1\" }; bag.Add(\"X-Causation-ID\", \"m-1\");") },
        { "dictionary of objects not on a RabbitMQ message", Method("var bag = new Dictionary<string, object?> { [\"X-Correlation-ID\"] = \"c-1\" };") },
        { "logging field name", Method("var fields = new Dictionary<string, object?> { [\"correlation_id\"] = \"c-1\" }; properties.Headers![\"x-tenant\"] = \"t\";") },
    };

    [Theory]
    [MemberData(nameof(HandWrittenHeaders))]
    public async Task Analyzer_HandWrittenHeader_Reports(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Theory]
    [MemberData(nameof(OtherWrites))]
    public async Task Analyzer_OtherWrite_ReportsNothing(string name, string source)
    {
        _ = name;
        await Verify.AnalyzerAsync(source);
    }

    [Fact]
    public async Task CodeFix_Statement_IsRemoved() =>
        await Verify.CodeFixAsync(
            Method("http.Response.Headers[\"X-Tenant\"] = \"t\";\n        http.Response.Headers[{|CM0004:\"X-Correlation-ID\"|}] = \"c-1\";\n        http.Response.Headers[\"X-Other\"] = \"o\";"),
            Method("http.Response.Headers[\"X-Tenant\"] = \"t\";\n        http.Response.Headers[\"X-Other\"] = \"o\";"));

    [Fact]
    public async Task CodeFix_InitializerElement_IsRemoved() =>
        await Verify.CodeFixAsync(
            Method("var attributes = new Dictionary<string, MessageAttributeValue> { [\"tenant\"] = new MessageAttributeValue { DataType = \"String\", StringValue = \"t\" }, [{|CM0004:\"X-Correlation-ID\"|}] = new MessageAttributeValue { DataType = \"String\", StringValue = \"c-1\" } };"),
            Method("var attributes = new Dictionary<string, MessageAttributeValue> { [\"tenant\"] = new MessageAttributeValue { DataType = \"String\", StringValue = \"t\" } };"));

    [Fact]
    public async Task CodeFix_KafkaAdd_IsRemoved() =>
        await Verify.CodeFixAsync(
            Method("var headers = new KafkaHeaders();\n        headers.Add({|CM0004:\"X-Causation-ID\"|}, new byte[1]);\n        headers.Add(\"X-Tenant\", new byte[1]);"),
            Method("var headers = new KafkaHeaders();\n        headers.Add(\"X-Tenant\", new byte[1]);"));

    private static string Method(string body) => Usings + $$"""
        public static class Sender
        {
            public static void Send(HttpContext http, SendContext send, BasicProperties properties)
            {
                {{body}}
            }
        }
        """;
}
