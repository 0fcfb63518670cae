namespace Correlation.Messaging.Quartz;

/// <summary>The <c>JobDataMap</c> key under which a trigger carries the flow it was scheduled in.</summary>
public static class CorrelationJobData
{
    /// <summary>The key: <c>Correlation.Capsule</c>. Its value is the capsule text (<c>v1;…</c>).</summary>
    public const string Key = "Correlation.Capsule";
}
