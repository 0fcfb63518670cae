using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.BrokerSmoke.Tests;

/// <summary>
/// <c>CI=true</c>, <c>CI=1</c> and <c>CI=yes</c> mean the same to the fixtures as to <c>eng/test.sh</c> and the build:
/// a missing broker then fails the test instead of skipping it.
/// </summary>
public sealed class CiVariableTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData(" true ", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("truthy", false)]
    public void MeansCi_Value_SameAsTheScriptAndTheBuild(string? value, bool expected) =>
        BrokerEndpoints.MeansCi(value).ShouldBe(expected);
}
