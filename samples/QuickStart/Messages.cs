namespace QuickStart;

#region quickstart-messages
public sealed record OrderPlaced(string OrderId);
#endregion
