using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("KeyRotation.IntegrationTests.SuiteCoverageFramework", "KeyRotation.IntegrationTests")]

namespace KeyRotation.IntegrationTests;

/// <summary>
/// xunit's own framework, which prints <see cref="SuiteCoverage"/>'s counts as diagnostic messages (enabled in
/// xunit.runner.json) just before it reports the assembly finished: unlike test output, which xunit shows only for
/// failed tests, these appear in <c>dotnet test</c>'s console output and so in CI logs. Printing them while the run
/// is still open (not when the framework is disposed, after the runner may have stopped listening) makes them appear
/// every time.
/// </summary>
public sealed class SuiteCoverageFramework : XunitTestFramework
{
    public SuiteCoverageFramework(IMessageSink messageSink)
        : base(messageSink)
    {
    }

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnostics)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(testCases, new ReportBeforeFinish(executionMessageSink, DiagnosticMessageSink), executionOptions);
    }

    private sealed class ReportBeforeFinish(IMessageSink inner, IMessageSink diagnostics) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestAssemblyFinished)
            {
                foreach (var line in SuiteCoverage.Lines())
                {
                    diagnostics.OnMessage(new DiagnosticMessage(line));
                }
            }

            return inner.OnMessage(message);
        }
    }
}
