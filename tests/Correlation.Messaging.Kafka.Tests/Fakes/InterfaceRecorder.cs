using System.Collections.Concurrent;
using System.Reflection;

namespace Correlation.Messaging.Kafka.Tests.Fakes;

/// <summary>
/// A fake of any client interface: records every call, and answers it with a registered handler or a default value.
/// </summary>
public class InterfaceRecorder : DispatchProxy
{
    private readonly ConcurrentQueue<(string Method, object?[] Args)> _calls = new();
    private readonly Dictionary<string, Func<object?[], object?>> _handlers = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Method, object?[] Args)> Calls => [.. _calls];

    public static (TInterface Fake, InterfaceRecorder Recorder) Create<TInterface>()
        where TInterface : class
    {
        var fake = Create<TInterface, InterfaceRecorder>();
        return (fake, (InterfaceRecorder)(object)fake);
    }

    /// <summary>Answers calls to <paramref name="method"/> (by name, any overload).</summary>
    public InterfaceRecorder On(string method, Func<object?[], object?> handler)
    {
        _handlers[method] = handler;
        return this;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        _calls.Enqueue((targetMethod.Name, args));
        if (_handlers.TryGetValue(targetMethod.Name, out var handler))
        {
            return handler(args);
        }

        var type = targetMethod.ReturnType;
        if (type == typeof(void))
        {
            return null;
        }

        if (type == typeof(string))
        {
            return "fake";
        }

        return type.IsValueType ? Activator.CreateInstance(type) : null;
    }
}
