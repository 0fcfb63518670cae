using System.Diagnostics;
using System.Text.Json;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.Sqs.Tests.Integration;

/// <summary>Interop with the official AWS SDK for JavaScript v3 (<c>@aws-sdk/client-sqs</c>), driven through <c>eng/sqs-interop/interop.mjs</c>.</summary>
[Collection(SqsCollection.Name)]
public sealed class SqsInteropTests(SqsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Process_MessageSentByAwsJsSdk_RestoresItsCorrelationId()
    {
        var queue = await fixture.CreateQueueAsync("js2net");

        var sent = await RunNodeAsync("send", queue, "js-corr-1", "from-js");

        var jsMessageId = JsonDocument.Parse(sent.Single()).RootElement.GetProperty("MessageId").GetString();
        CorrelationContext? seen = null;
        var done = await fixture.RunProcessorUntilAsync(queue, (_, _) =>
        {
            seen = CorrelationContext.Current;
            return Task.CompletedTask;
        }, () => seen is not null);
        done.ShouldBeTrue();
        seen!.CorrelationId.ShouldBe("js-corr-1");
        seen.Source.ShouldBe(CorrelationIdSource.Inbound);
        seen.MessageId.ShouldBe(jsMessageId);
    }

    [Fact]
    public async Task ReceiveMessage_ByAwsJsSdk_ReadsOurAttributesSeparateAndPacked()
    {
        var queue = await fixture.CreateQueueAsync("net2js");
        using (CorrelationContext.BeginScope(new CorrelationContext("net-corr-1", messageId: "net-cause-1")))
        {
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "separate" }, Ct);
            var nine = Enumerable.Range(0, 9).ToDictionary(i => "user" + i, i => Attr.String("v" + i));
            await fixture.Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "packed", MessageAttributes = nine }, Ct);
        }

        var lines = await RunNodeAsync("receive", queue, "2");

        var received = lines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("Body").GetString()!);
        received.Count.ShouldBe(2);
        var separate = received["separate"].GetProperty("Attributes");
        separate.GetProperty("X-Correlation-ID").GetString().ShouldBe("net-corr-1");
        separate.GetProperty("X-Causation-ID").GetString().ShouldBe("net-cause-1");
        var packed = JsonDocument.Parse(received["packed"].GetProperty("Attributes").GetProperty(SqsCorrelationAttributes.PackedAttributeName).GetString()!).RootElement;
        packed.GetProperty("X-Correlation-ID").GetString().ShouldBe("net-corr-1");
        packed.GetProperty("X-Causation-ID").GetString().ShouldBe("net-cause-1");
    }

    private async Task<List<string>> RunNodeAsync(params string[] args)
    {
        var root = BrokerEndpoints.RepositoryRoot ?? throw new InvalidOperationException("Repository root not found.");
        var folder = Path.Combine(root, "eng", "sqs-interop");
        if (!File.Exists(Path.Combine(folder, "node_modules", "@aws-sdk", "client-sqs", "package.json")))
        {
            var install = await RunAsync("bash", [Path.Combine(folder, "install.sh")], folder);
            if (install.ExitCode != 0)
            {
                RequireOrSkip($"eng/sqs-interop/install.sh failed: {install.Error}");
            }
        }

        var result = await RunAsync("node", [Path.Combine(folder, "interop.mjs"), args[0], fixture.ServiceUrl.ToString(), .. args[1..]], folder);
        result.ExitCode.ShouldBe(0, result.Error);
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, string[] args, string workingDirectory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = SqsFixture.AccessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = SqsFixture.SecretKey;
        info.Environment["AWS_REGION"] = "us-east-1";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            RequireOrSkip($"'{file}' cannot be started: {ex.Message}");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var error = process.StandardError.ReadToEndAsync(Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
    }

    private static void RequireOrSkip(string message) =>
        BrokerEndpoints.Unavailable("the AWS JS SDK interop test cannot run", message);
}
