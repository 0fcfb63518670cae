using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests.Input;

public sealed class LogLineParserTests
{
    private const string MicrosoftLine = """
        {"Timestamp":"2026-11-21T23:59:01.123Z","EventId":0,"LogLevel":"Information","Category":"Orders.Api.OrderEndpoints","Message":"Placing order 1001","State":{"Message":"Placing order 1001","OrderId":1001,"{OriginalFormat}":"Placing order {OrderId}"},"Scopes":[{"Message":"correlation_id:abc message_id:m1","correlation_id":"abc","causation_id":null,"message_id":"m1"},{"service":"orders-api"}]}
        """;

    [Fact]
    public void Parse_MicrosoftJsonConsoleShape_ReadsTopLevelStateAndScopes()
    {
        var record = LogLines.Parse(MicrosoftLine);

        record.Timestamp.ShouldBe(new DateTimeOffset(2026, 11, 21, 23, 59, 1, 123, TimeSpan.Zero));
        record.CorrelationId.ShouldBe("abc");
        record.CausationId.ShouldBeNull();
        record.MessageId.ShouldBe("m1");
        record.Service.ShouldBe("orders-api");
        record.Category.ShouldBe("Orders.Api.OrderEndpoints");
        record.Severity.ShouldBe(Severity.Information);
        record.Message.ShouldBe("Placing order 1001");
        record.Step.ShouldBe("Placing order 1001");
        record.IsFailure.ShouldBeFalse();
        record.IsRetry.ShouldBeFalse();
    }

    [Fact]
    public void Parse_MicrosoftShapeWithSeveralScopes_LaterScopeWins()
    {
        const string line = """
            {"Timestamp":"2026-11-21T23:59:01.123Z","LogLevel":"Warning","Category":"C","Message":"m","State":{"step":"from-state"},"Scopes":[{"Message":"x","service":"outer","step":"outer-step"},{"Message":"correlation_id:abc","correlation_id":"abc"},{"Message":"y","service":"inner"}]}
            """;

        var record = LogLines.Parse(line);

        record.Service.ShouldBe("inner");
        record.Step.ShouldBe("outer-step");
        record.Severity.ShouldBe(Severity.Warning);
        record.Message.ShouldBe("m");
    }

    [Fact]
    public void Parse_MicrosoftShapeFieldsOnlyInState_AreFound()
    {
        const string line = """
            {"Timestamp":"2026-11-21T23:59:01.123Z","LogLevel":"Error","Category":"Orders.Worker","Message":"Order line 1-2 failed","Exception":"System.TimeoutException: carrier\n   at X.Y()","State":{"Message":"Order line 1-2 failed","correlation_id":"abc","status":"failed","attempt":2,"{OriginalFormat}":"..."}}
            """;

        var record = LogLines.Parse(line);

        record.CorrelationId.ShouldBe("abc");
        record.Category.ShouldBe("Orders.Worker");
        record.Status.ShouldBe("failed");
        record.RetryNumber.ShouldBe(1);
        record.Exception.ShouldStartWith("System.TimeoutException: carrier");
        record.IsFailure.ShouldBeTrue();
        record.IsRetry.ShouldBeTrue();
    }

    [Fact]
    public void Parse_MassTransitCorrelationIdScope_DoesNotOverrideOurSnakeCaseIds()
    {
        const string line = """
            {"Timestamp":"2026-11-21T23:59:01.123Z","LogLevel":"Information","Category":"C","Message":"m","Scopes":[{"correlation_id":"ours","message_id":"our-msg"},{"CorrelationId":"masstransit-guid","MessageId":"mt-msg"}]}
            """;

        var record = LogLines.Parse(line);

        record.CorrelationId.ShouldBe("ours");
        record.MessageId.ShouldBe("our-msg");
    }

    [Fact]
    public void Parse_CamelCaseIdsOnly_AreAcceptedAsOneFamily()
    {
        var record = LogLines.Parse("""{"time":"2026-11-21T23:59:01Z","CorrelationId":"c","CausationId":"p","MessageId":"m","msg":"hi"}""");

        record.CorrelationId.ShouldBe("c");
        record.CausationId.ShouldBe("p");
        record.MessageId.ShouldBe("m");
    }

    [Fact]
    public void Parse_SerilogCompactWithTemplateOnly_RendersTemplateAndReadsLevelAndException()
    {
        const string line = """
            {"@t":"2026-11-21T23:59:02.5000000Z","@mt":"Reserving {Sku} x{Quantity} failed","@l":"Error","@x":"System.InvalidOperationException: out of stock","Sku":"SKU-1","Quantity":3,"correlation_id":"abc","message_id":"k1","causation_id":"m1","service":"inventory","SourceContext":"Inventory.Consumer"}
            """;

        var record = LogLines.Parse(line);

        record.Timestamp.ShouldBe(new DateTimeOffset(2026, 11, 21, 23, 59, 2, 500, TimeSpan.Zero));
        record.Message.ShouldBe("Reserving SKU-1 x3 failed");
        record.Severity.ShouldBe(Severity.Error);
        record.Exception.ShouldBe("System.InvalidOperationException: out of stock");
        record.Category.ShouldBe("Inventory.Consumer");
        record.CausationId.ShouldBe("m1");
        record.IsFailure.ShouldBeTrue();
    }

    [Fact]
    public void Parse_SerilogCompactWithoutLevel_IsInformationAndUsesRenderedMessage()
    {
        var record = LogLines.Parse("""{"@t":"2026-11-21T23:59:02Z","@m":"Done","@mt":"{What}","correlation_id":"abc","service":"x"}""");

        record.Severity.ShouldBe(Severity.Information);
        record.Message.ShouldBe("Done");
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("time")]
    [InlineData("@timestamp")]
    public void Parse_FlatLowerCaseKeys_ReadsEveryField(string timestampKey)
    {
        var line = "{\"" + timestampKey + "\":\"2026-11-21T23:59:01.250+01:00\",\"level\":\"warn\",\"msg\":\"Shipment booked\",\"correlation_id\":\"abc\",\"causation_id\":\"k1\",\"message_id\":\"s1\",\"service\":\"fulfilment\",\"step\":\"book-shipment\",\"status\":\"Completed\"}";

        var record = LogLines.Parse(line);

        record.Timestamp.ShouldBe(new DateTimeOffset(2026, 11, 21, 22, 59, 1, 250, TimeSpan.Zero));
        record.Severity.ShouldBe(Severity.Warning);
        record.Message.ShouldBe("Shipment booked");
        record.Step.ShouldBe("book-shipment");
        record.Status.ShouldBe("completed");
        record.IsCompletion.ShouldBeTrue();
        record.Service.ShouldBe("fulfilment");
        record.CausationId.ShouldBe("k1");
    }

    [Fact]
    public void Parse_FlatEventField_IsTheStepWhenNoStep()
    {
        var record = LogLines.Parse("""{"ts":1795305541.5,"message":"long text","event":"order.placed","correlation_id":"abc"}""");

        record.Step.ShouldBe("order.placed");
        record.Timestamp.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1_795_305_541_500));
    }

    [Fact]
    public void Parse_EpochMilliseconds_AreRead()
    {
        var record = LogLines.Parse("""{"ts":1795305541500,"message":"x","correlation_id":"abc"}""");

        record.Timestamp.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1_795_305_541_500));
    }

    [Fact]
    public void Parse_NoServiceField_FallsBackToProcessThenFileNeverCategoryUnlessAsked()
    {
        const string line = """{"Timestamp":"2026-11-21T23:59:01Z","Category":"Orders.Api.Endpoints","Message":"x","Scopes":[{"correlation_id":"abc"}]}""";

        LogLines.Parse(line, fileStem: "orders-api").Service.ShouldBe("orders-api");
        LogLines.Parse(line, serviceFromCategory: true, fileStem: "orders-api").Service.ShouldBe("Orders.Api.Endpoints");
        LogLines.Parse(line.Replace("\"Message\"", "\"process\":\"Orders.Api\",\"Message\"", StringComparison.Ordinal), fileStem: "app").Service.ShouldBe("Orders.Api");
        LogLines.Parse("""{"time":"2026-11-21T23:59:01Z","correlation_id":"abc","OTEL_SERVICE_NAME":"billing"}""", fileStem: "app").Service.ShouldBe("billing");
        LogLines.Parse("""{"time":"2026-11-21T23:59:01Z","correlation_id":"abc","service.name":"billing"}""", serviceFromCategory: true, fileStem: "app").Service.ShouldBe("billing");
        LogLines.Parse("""{"time":"2026-11-21T23:59:01Z","correlation_id":"abc"}""", fileStem: "worker").Service.ShouldBe("worker");
        LogLines.Parse("""{"time":"2026-11-21T23:59:01Z","correlation_id":"abc"}""").Service.ShouldBe("unknown");
    }

    [Theory]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"R-RETRY rabbitmq://localhost/orders 1 OrderPlaced"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"handling","attempt":2}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"handling","retry":"1"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"handling","status":"retrying"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"Retrying in 2 s"}""")]
    public void Parse_RetryMarkers_MarkTheLineAsRetry(string line)
    {
        var record = LogLines.Parse(line);

        record.IsRetry.ShouldBeTrue();
        record.IsFailure.ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"R-FAULT rabbitmq://localhost/orders OrderPlaced"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"x","level":"Critical"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"x","level":"fatal"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"x","level":50}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"x","status":"dead-lettered"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"a","message":"x","level":"warning","exception":"System.Exception: boom"}""")]
    public void Parse_FailureMarkers_MarkTheLineAsFailure(string line) => LogLines.Parse(line).IsFailure.ShouldBeTrue();

    [Theory]
    [InlineData("not json at all")]
    [InlineData("info: Microsoft.Hosting.Lifetime[0] Application started")]
    [InlineData("[1,2,3]")]
    [InlineData("42")]
    [InlineData("\"a string\"")]
    [InlineData("null")]
    [InlineData("{\"correlation_id\":\"abc\",")]
    [InlineData("{\"correlation_id\":\"abc\"} trailing")]
    [InlineData("\u0000\u0001\u0002\uFFFD\uFFFD{\u0007")]
    [InlineData("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")]
    public void Parse_NotAJsonObject_IsMalformedAndDoesNotThrow(string line)
    {
        new LogLineParser().Parse(line, new LineOrigin("t", null, 1, 0), out var record).ShouldBe(LineOutcome.Malformed);
        record.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"correlation_id":"abc","message":"no time"}""")]
    [InlineData("""{"correlation_id":"abc","timestamp":"yesterday-ish"}""")]
    [InlineData("""{"correlation_id":"abc","timestamp":""}""")]
    [InlineData("""{"correlation_id":"abc","timestamp":{"nested":true}}""")]
    [InlineData("""{"correlation_id":"abc","ts":-5}""")]
    public void Parse_CorrelatedLineWithoutUsableTimestamp_IsKeptWithoutTimestamp(string line)
    {
        new LogLineParser().Parse(line, new LineOrigin("t", null, 1, 0), out var record).ShouldBe(LineOutcome.NoTimestamp);
        record.ShouldNotBeNull().HasTimestamp.ShouldBeFalse();
        record.CorrelationId.ShouldBe("abc");
    }

    [Theory]
    [InlineData("""{"Timestamp":"2026-11-21T23:59:01Z","Message":"Application started","Scopes":[{"Message":"System.Collections.Generic.Dictionary`2","service":"x"}]}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":"","message":"empty id"}""")]
    [InlineData("""{"time":"2026-11-21T23:59:01Z","correlation_id":null,"message":"null id"}""")]
    public void Parse_NoCorrelationId_IsNotPartOfAFlow(string line) =>
        new LogLineParser().Parse(line, new LineOrigin("t", null, 1, 0), out _).ShouldBe(LineOutcome.NoCorrelationId);

    [Fact]
    public void Parse_ByteOrderMarkAndIndentBeforeTheObject_AreSkipped() =>
        LogLines.Parse("\uFEFF  " + LogLines.Flat(0, "abc", "svc", "x")).CorrelationId.ShouldBe("abc");

    [Fact]
    public void Parse_LineLongerThanTheLimit_IsMalformed()
    {
        var line = LogLines.Flat(0, "abc", "svc", new string('x', 500));

        new LogLineParser(maxLineLength: 100).Parse(line, new LineOrigin("t", null, 1, 0), out _).ShouldBe(LineOutcome.Malformed);
        new LogLineParser(maxLineLength: 1000).Parse(line, new LineOrigin("t", null, 1, 0), out _).ShouldBe(LineOutcome.Record);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r")]
    public void Parse_BlankLine_IsBlank(string line) =>
        new LogLineParser().Parse(line, new LineOrigin("t", null, 1, 0), out _).ShouldBe(LineOutcome.Blank);
}
