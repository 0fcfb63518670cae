namespace Correlation.Messaging.Tracing;

/// <summary>
/// Writes one W3C trace-context header to a carrier, replacing any existing header of the same name.
/// </summary>
/// <typeparam name="TCarrier">The carrier type.</typeparam>
/// <param name="carrier">The carrier.</param>
/// <param name="name">The header name: <c>traceparent</c> or <c>tracestate</c>.</param>
/// <param name="value">The value, printable ASCII.</param>
/// <remarks>Pass a static lambda or a static method so that no delegate is allocated per message.</remarks>
internal delegate void TraceContextHeaderSetter<in TCarrier>(TCarrier carrier, string name, string value);
