#region quickstart-messages
namespace QuickStart;                                // MassTransit needs message types in a namespace

public sealed record OrderPlaced(string OrderId);
#endregion
