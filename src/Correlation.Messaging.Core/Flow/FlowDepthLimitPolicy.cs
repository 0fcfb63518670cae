namespace Correlation.Messaging;

/// <summary>
/// What happens to an inbound message or request whose flow depth is above <see cref="CorrelationOptions.MaxDepth"/>
/// (the loop guard). Either way a warning is logged and <c>correlation.flow.depth_exceeded</c> is counted.
/// </summary>
public enum FlowDepthLimitPolicy
{
    /// <summary>
    /// The message is refused with a <see cref="CorrelationIdRejectedException"/> (problem
    /// <see cref="CorrelationIdProblem.FlowDepthExceeded"/>), which takes the broker's failure path: nothing is lost.
    /// </summary>
    Reject = 0,

    /// <summary>The message is handled at its depth, after the warning.</summary>
    LogAndContinue = 1,
}
