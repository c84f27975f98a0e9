using System.Runtime.CompilerServices;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.Ssm;

/// <summary>
/// Every SecureString parameter of the account in the client's Region (DescribeParameters filtered on Type
/// SecureString, pages of 50) with its <c>KeyId</c>: the reference it was last written with, as given (a key id, key
/// ARN, alias name or alias ARN; alias/aws/ssm for the default key). SSM resolves an alias only when it encrypts a new
/// version, so a parameter that names the alias has its latest version under the key the alias pointed at then.
/// The resource id is the parameter's name (unique in the account and Region).
/// </summary>
internal sealed class SsmParameterSource(IAmazonSimpleSystemsManagement ssm, ConsumerRequestPacer pacer) : IConsumerSource
{
    public const string Service = "ssm";
    public const string Kind = "parameter";

    public string Name => "SSM SecureString parameters";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? next = null;
        do
        {
            var page = await DescribeAsync(ssm, pacer, new ParameterStringFilter { Key = "Type", Option = "Equals", Values = ["SecureString"] }, next, ct);
            foreach (var parameter in page.Parameters ?? [])
            {
                yield return new ConsumerFinding.Found(new ConsumerResource(Service, Kind, parameter.Name, parameter.KeyId));
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);
    }

    /// <summary>One parameter's metadata as DescribeParameters has it (the migrator reads it again before it writes); null when it no longer exists.</summary>
    internal static async Task<ParameterMetadata?> DescribeOneAsync(IAmazonSimpleSystemsManagement ssm, ConsumerRequestPacer pacer, string name, CancellationToken ct)
    {
        var page = await DescribeAsync(ssm, pacer, new ParameterStringFilter { Key = "Name", Option = "Equals", Values = [name] }, null, ct);
        return page.Parameters?.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
    }

    private static async Task<DescribeParametersResponse> DescribeAsync(IAmazonSimpleSystemsManagement ssm, ConsumerRequestPacer pacer, ParameterStringFilter filter, string? next, CancellationToken ct)
    {
        await pacer.WaitAsync(Service, "DescribeParameters", ct);
        return await ssm.DescribeParametersAsync(new DescribeParametersRequest { ParameterFilters = [filter], MaxResults = 50, NextToken = next }, ct);
    }
}
