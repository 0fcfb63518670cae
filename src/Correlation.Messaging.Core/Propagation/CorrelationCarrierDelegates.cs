namespace Correlation.Messaging.Propagation;

/// <summary>
/// Reads one header from a carrier (a broker message's headers, properties or attributes).
/// </summary>
/// <typeparam name="TCarrier">The carrier type.</typeparam>
/// <param name="carrier">The carrier.</param>
/// <param name="name">The header name.</param>
/// <returns>The value, or <see cref="InboundHeaderValue.Missing"/>. When a header appears more than once, return the last one.</returns>
/// <remarks>Pass a static lambda or a static method so that no delegate is allocated per message.</remarks>
public delegate InboundHeaderValue CorrelationHeaderGetter<in TCarrier>(TCarrier carrier, string name);

/// <summary>
/// Writes one header to a carrier, replacing any existing header of the same name.
/// </summary>
/// <typeparam name="TCarrier">The carrier type.</typeparam>
/// <param name="carrier">The carrier.</param>
/// <param name="name">The header name.</param>
/// <param name="value">The value, as text and as cached UTF-8 bytes.</param>
/// <remarks>Pass a static lambda or a static method so that no delegate is allocated per message.</remarks>
public delegate void CorrelationHeaderSetter<in TCarrier>(TCarrier carrier, string name, OutboundHeaderValue value);
