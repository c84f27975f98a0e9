using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("KeyRotation.IntegrationTests.SuiteCoverageFramework", "KeyRotation.IntegrationTests")]

namespace KeyRotation.IntegrationTests;

/// <summary>
/// xunit's own framework, which at the end of the run prints <see cref="SuiteCoverage"/>'s counts as diagnostic
/// messages (enabled in xunit.runner.json): unlike test output, which xunit shows only for failed tests, these appear
/// in <c>dotnet test</c>'s console output and so in CI logs.
/// </summary>
public sealed class SuiteCoverageFramework : XunitTestFramework
{
    public SuiteCoverageFramework(IMessageSink messageSink)
        : base(messageSink) => DisposalTracker.Add(new Report(messageSink));

    private sealed class Report(IMessageSink sink) : IDisposable
    {
        public void Dispose()
        {
            foreach (var line in SuiteCoverage.Lines())
            {
                sink.OnMessage(new DiagnosticMessage(line));
            }
        }
    }
}
