using System.Globalization;
using System.Text;

namespace Correlation.Messaging.Testing;

/// <summary>
/// The expected shape of a causation tree, for <see cref="FlowRecorder.AssertShape(FlowShape)"/> and
/// <see cref="FlowRecorder.WaitUntilQuietAsync(FlowShape, TimeSpan, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para>Syntax (<see cref="Parse"/>): <c>name [×n] [→ child | → { child, child, … }]</c>, for example
/// <c>Http(POST /orders) → OrderPlaced → { OrderLineRequested ×3 → ShipmentRequested }</c>: one request caused one
/// <c>OrderPlaced</c>, which caused three <c>OrderLineRequested</c>, each of which caused one <c>ShipmentRequested</c>.
/// ASCII works too: <c>-&gt;</c> for <c>→</c> and <c> x3</c> for <c>×3</c>. A name is a message type (MassTransit), a
/// topic or queue (Kafka, SQS, RabbitMQ), <c>Http(METHOD /path)</c> for a request received, <c>Call(METHOD /path)</c> for
/// one made. Siblings are unordered; a tree with several roots is written <c>{ a, b }</c>.</para>
/// <para>Build one in code with <see cref="Node(string, FlowShape[])"/> and <see cref="Times"/>. Two shapes are equal
/// when their canonical forms (<see cref="ToString"/>) are.</para>
/// </remarks>
public sealed class FlowShape : IEquatable<FlowShape>
{
    private readonly string _canonical;

    private FlowShape(string? label, int count, IEnumerable<FlowShape> children)
    {
        Label = label;
        Count = count;
        Children = Merge(children);
        _canonical = Render(this);
    }

    /// <summary>Gets the node's name, or <see langword="null"/> for the virtual root of a tree with several roots.</summary>
    public string? Label { get; }

    /// <summary>Gets how many identical copies of this subtree the parent has.</summary>
    public int Count { get; }

    /// <summary>Gets the children, merged (identical subtrees counted) and sorted.</summary>
    public IReadOnlyList<FlowShape> Children { get; }

    /// <summary>Creates a node with the given children.</summary>
    /// <param name="label">The node's name.</param>
    /// <param name="children">The nodes it caused.</param>
    /// <returns>The node.</returns>
    /// <exception cref="ArgumentException"><paramref name="label"/> is empty.</exception>
    public static FlowShape Node(string label, params FlowShape[] children)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentNullException.ThrowIfNull(children);
        return new FlowShape(label.Trim(), 1, children);
    }

    /// <summary>Parses a shape (see the remarks of <see cref="FlowShape"/>).</summary>
    /// <param name="text">The shape, for example <c>OrderPlaced → { OrderLineRequested ×3 }</c>.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a shape; the message gives the position.</exception>
    public static FlowShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).ParseAll();
    }

    /// <summary>Returns this subtree repeated <paramref name="count"/> times under its parent.</summary>
    /// <param name="count">How many copies; at least 1.</param>
    /// <returns>The repeated subtree.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public FlowShape Times(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new FlowShape(Label, count, Children);
    }

    /// <summary>Returns the canonical form: siblings merged and sorted, <c>→</c> and <c>×</c>.</summary>
    /// <returns>The canonical text.</returns>
    public override string ToString() => _canonical;

    /// <inheritdoc />
    public bool Equals(FlowShape? other) => other is not null && string.Equals(_canonical, other._canonical, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FlowShape);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_canonical);

    internal static FlowShape Create(string? label, IEnumerable<FlowShape> children) => new(label, 1, children);

    private static FlowShape[] Merge(IEnumerable<FlowShape> children)
    {
        var groups = new Dictionary<string, (FlowShape Shape, int Count)>(StringComparer.Ordinal);
        foreach (var child in children)
        {
            ArgumentNullException.ThrowIfNull(child);
            if (child.Label is null)
            {
                throw new ArgumentException("A tree with several roots cannot be a child.", nameof(children));
            }

            var key = Render(child, withCount: false);
            groups[key] = groups.TryGetValue(key, out var existing) ? (existing.Shape, existing.Count + child.Count) : (child, child.Count);
        }

        return [.. groups.OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Value.Shape.Count == g.Value.Count ? g.Value.Shape : new FlowShape(g.Value.Shape.Label, g.Value.Count, g.Value.Shape.Children))];
    }

    private static string Render(FlowShape shape, bool withCount = true)
    {
        var text = new StringBuilder();
        if (shape.Label is null)
        {
            text.Append("{ ").AppendJoin(", ", shape.Children.Select(c => c._canonical)).Append(" }");
            return text.ToString();
        }

        text.Append(shape.Label);
        if (withCount && shape.Count > 1)
        {
            text.Append(" ×").Append(shape.Count.ToString(CultureInfo.InvariantCulture));
        }

        if (shape.Children.Count == 1)
        {
            text.Append(" → ").Append(shape.Children[0]._canonical);
        }
        else if (shape.Children.Count > 1)
        {
            text.Append(" → { ").AppendJoin(", ", shape.Children.Select(c => c._canonical)).Append(" }");
        }

        return text.ToString();
    }

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public FlowShape ParseAll()
        {
            SkipSpace();
            FlowShape result;
            if (Peek() == '{')
            {
                result = new FlowShape(null, 1, ParseChildren());
                if (result.Children.Count == 1 && result.Children[0].Count == 1)
                {
                    result = result.Children[0];
                }
            }
            else
            {
                result = ParseNode();
            }

            SkipSpace();
            if (_position < _text.Length)
            {
                throw Error("expected the end, '→' or ','");
            }

            return result;
        }

        private FlowShape ParseNode()
        {
            var label = ReadLabel(out var count);
            SkipSpace();
            if (Peek() == '×')
            {
                _position++;
                count = ReadNumber();
                SkipSpace();
            }

            var children = Array.Empty<FlowShape>();
            if (Peek() == '→')
            {
                _position++;
                children = ParseChildren();
            }
            else if (Peek() == '-' && _position + 1 < _text.Length && _text[_position + 1] == '>')
            {
                _position += 2;
                children = ParseChildren();
            }

            return new FlowShape(label, count, children);
        }

        private FlowShape[] ParseChildren()
        {
            SkipSpace();
            if (Peek() != '{')
            {
                return [ParseNode()];
            }

            _position++;
            var children = new List<FlowShape> { ParseNode() };
            SkipSpace();
            while (Peek() == ',')
            {
                _position++;
                children.Add(ParseNode());
                SkipSpace();
            }

            if (Peek() != '}')
            {
                throw Error("expected ',' or '}'");
            }

            _position++;
            return [.. children];
        }

        private string ReadLabel(out int count)
        {
            SkipSpace();
            var start = _position;
            var depth = 0;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && depth > 0)
                {
                    depth--;
                }
                else if (depth == 0 && (c is '{' or '}' or ',' or '→' or '×' || (c == '-' && _position + 1 < _text.Length && _text[_position + 1] == '>')))
                {
                    break;
                }

                _position++;
            }

            var label = _text[start.._position].Trim();
            count = 1;

            // ASCII repetition: "Name x3".
            var space = label.LastIndexOf(' ');
            if (space > 0 && label.Length > space + 2 && label[space + 1] == 'x' && label.AsSpan(space + 2).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                count = int.Parse(label.AsSpan(space + 2), NumberStyles.None, CultureInfo.InvariantCulture);
                label = label[..space].TrimEnd();
            }

            if (label.Length == 0)
            {
                throw Error("expected a name");
            }

            if (count < 1)
            {
                throw Error("a count must be at least 1");
            }

            return label;
        }

        private int ReadNumber()
        {
            SkipSpace();
            var start = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
            {
                _position++;
            }

            if (_position == start || !int.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                throw Error("expected a count of at least 1 after '×'");
            }

            return n;
        }

        private readonly char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private void SkipSpace()
        {
            while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
            {
                _position++;
            }
        }

        private readonly FormatException Error(string what) =>
            new(string.Create(CultureInfo.InvariantCulture, $"Not a flow shape: {what} at position {_position} of \"{_text}\"."));
    }
}
