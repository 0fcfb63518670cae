namespace Correlation.Messaging.Propagation;

/// <summary>
/// A header value as read from an inbound carrier: missing, null, text, UTF-8 bytes, or a value of an unsupported wire type.
/// </summary>
/// <remarks>Carrier getters create these without copying: text and byte arrays are referenced, not cloned.</remarks>
public readonly struct InboundHeaderValue
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _utf8;

    private InboundHeaderValue(InboundHeaderValueKind kind, string? text, ReadOnlyMemory<byte> utf8, bool hadDuplicates)
    {
        Kind = kind;
        _text = text;
        _utf8 = utf8;
        HadDuplicates = hadDuplicates;
    }

    /// <summary>Gets a value that represents an absent header.</summary>
    public static InboundHeaderValue Missing => default;

    /// <summary>Gets a value that represents a header present with a null value.</summary>
    public static InboundHeaderValue Null => new(InboundHeaderValueKind.Null, null, default, false);

    /// <summary>Gets the kind of value.</summary>
    public InboundHeaderValueKind Kind { get; }

    /// <summary>Gets a value indicating whether the carrier held the header more than once (the last one was taken).</summary>
    public bool HadDuplicates { get; }

    /// <summary>Gets a value indicating whether the header was present at all.</summary>
    public bool IsPresent => Kind != InboundHeaderValueKind.Missing;

    /// <summary>Gets the text, for <see cref="InboundHeaderValueKind.Text"/>; otherwise <see langword="null"/>.</summary>
    public string? Text => _text;

    /// <summary>Gets the bytes, for <see cref="InboundHeaderValueKind.Utf8"/>; otherwise empty.</summary>
    public ReadOnlyMemory<byte> Utf8 => _utf8;

    /// <summary>Gets the wire type name, for <see cref="InboundHeaderValueKind.WrongType"/>; otherwise <see langword="null"/>.</summary>
    public string? WireType => Kind == InboundHeaderValueKind.WrongType ? _text : null;

    /// <summary>Creates a value from text. A <see langword="null"/> text is <see cref="Null"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="hadDuplicates">Whether the header appeared more than once.</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue FromText(string? text, bool hadDuplicates = false) =>
        text is null ? new(InboundHeaderValueKind.Null, null, default, hadDuplicates) : new(InboundHeaderValueKind.Text, text, default, hadDuplicates);

    /// <summary>Creates a value from UTF-8 bytes, which are validated strictly when read. A <see langword="null"/> array is <see cref="Null"/>.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="hadDuplicates">Whether the header appeared more than once.</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue FromUtf8(byte[]? utf8, bool hadDuplicates = false) =>
        utf8 is null ? new(InboundHeaderValueKind.Null, null, default, hadDuplicates) : new(InboundHeaderValueKind.Utf8, null, utf8, hadDuplicates);

    /// <summary>Creates a value from UTF-8 bytes, which are validated strictly when read.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="hadDuplicates">Whether the header appeared more than once.</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue FromUtf8(ReadOnlyMemory<byte> utf8, bool hadDuplicates = false) =>
        new(InboundHeaderValueKind.Utf8, null, utf8, hadDuplicates);

    /// <summary>Returns this value flagged as found more than once (the header lookup rule's duplicate).</summary>
    /// <param name="hadDuplicates">Whether the header appeared more than once.</param>
    /// <returns>The value, with <see cref="HadDuplicates"/> set when <paramref name="hadDuplicates"/> is <see langword="true"/>.</returns>
    internal InboundHeaderValue WithDuplicates(bool hadDuplicates) =>
        hadDuplicates && !HadDuplicates ? new(Kind, _text, _utf8, hadDuplicates: true) : this;

    /// <summary>Creates a value that represents a header of a wire type that cannot carry a correlation ID.</summary>
    /// <param name="wireType">A short name of the wire type, for the log (for example <c>Int32</c> or <c>Number</c>).</param>
    /// <returns>The value.</returns>
    public static InboundHeaderValue WrongType(string wireType) => new(InboundHeaderValueKind.WrongType, wireType, default, false);
}

/// <summary>
/// The kind of an <see cref="InboundHeaderValue"/>.
/// </summary>
public enum InboundHeaderValueKind
{
    /// <summary>The header is absent.</summary>
    Missing = 0,

    /// <summary>The header is present with a null value.</summary>
    Null = 1,

    /// <summary>The header holds text.</summary>
    Text = 2,

    /// <summary>The header holds bytes that should be UTF-8 text.</summary>
    Utf8 = 3,

    /// <summary>The header holds a value of a wire type that cannot carry a correlation ID.</summary>
    WrongType = 4,
}
