namespace Correlation.Messaging.Testing.Tests.Shapes;

public sealed class FlowShapeTests
{
    [Fact]
    public void Parse_IssueExample_CanonicalFormKeepsIt()
    {
        var shape = FlowShape.Parse("Http(POST /orders) → OrderPlaced → { OrderLineRequested ×3 → ShipmentRequested }");

        shape.ToString().ShouldBe("Http(POST /orders) → OrderPlaced → OrderLineRequested ×3 → ShipmentRequested");
        shape.Label.ShouldBe("Http(POST /orders)");
        shape.Children.ShouldHaveSingleItem().Label.ShouldBe("OrderPlaced");
        shape.Children[0].Children.ShouldHaveSingleItem().Count.ShouldBe(3);
    }

    [Fact]
    public void Parse_Ascii_EqualsUnicode()
    {
        FlowShape.Parse("A -> { B x2 -> C, D }").ShouldBe(FlowShape.Parse("A → { D, B ×2 → C }"));
    }

    [Fact]
    public void Parse_RepeatedSiblings_MergedIntoCount()
    {
        FlowShape.Parse("A → { B, B, B }").ToString().ShouldBe("A → B ×3");
    }

    [Fact]
    public void Parse_SiblingsInAnyOrder_Equal()
    {
        FlowShape.Parse("A → { C, B → D }").ShouldBe(FlowShape.Parse("A → { B → D, C }"));
    }

    [Fact]
    public void Parse_DifferentCount_NotEqual()
    {
        FlowShape.Parse("A → B ×2").ShouldNotBe(FlowShape.Parse("A → B ×3"));
    }

    [Fact]
    public void Parse_SeveralRoots_Forest()
    {
        FlowShape.Parse("{ B, A → C }").ToString().ShouldBe("{ A → C, B }");
    }

    [Theory]
    [InlineData("")]
    [InlineData("A →")]
    [InlineData("A → { B, }")]
    [InlineData("A → { B")]
    [InlineData("A ×0")]
    [InlineData("A } B")]
    public void Parse_Malformed_FormatExceptionWithPosition(string text)
    {
        Should.Throw<FormatException>(() => FlowShape.Parse(text)).Message.ShouldContain("at position");
    }

    [Fact]
    public void Node_Builder_EqualsParsedText()
    {
        var built = FlowShape.Node(
            "Http(POST /orders)",
            FlowShape.Node("OrderPlaced", FlowShape.Node("OrderLineRequested", FlowShape.Node("ShipmentRequested")).Times(3)));

        built.ShouldBe(FlowShape.Parse("Http(POST /orders) → OrderPlaced → { OrderLineRequested ×3 → ShipmentRequested }"));
    }
}
