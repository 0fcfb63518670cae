namespace Correlation.Messaging.Testing.Tests;

/// <summary>The README's examples run as written, where they need no broker endpoint of their own.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public Task ReadmeMassTransitExample_AsWritten_Passes() =>
        new Snippets.Testing.OrderFlowTests().PlaceOrder_OneFlowFromPublishToEveryLine();
}
