using KeyRotation.Core.Consumers;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The consumer inventory and migration run with the operator's credentials only: neither the rotation role nor the
/// retention role is granted any DynamoDB, SSM, EC2 (or other consumer service) action that
/// <see cref="ConsumerPermissions"/> lists, on any resource, in either stack variant.
/// </summary>
public sealed class ConsumerActionsRoleTests
{
    public static TheoryData<string> ServiceActions()
    {
        var data = new TheoryData<string>();
        foreach (var action in ConsumerPermissions.All.SelectMany(c => c.Inventory.Concat(c.Migration)).Where(a => !a.StartsWith("kms:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            data.Add(action);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServiceActions))]
    public void ConsumerServiceAction_OnAnyResource_IsNotGrantedToTheRotationOrRetentionRole(string action)
    {
        var service = action[..action.IndexOf(':', StringComparison.Ordinal)];
        string[] resources = ["*", $"arn:aws:{service}:{RotationRole.Region}:{RotationRole.Account}:table/orders", $"arn:aws:{service}:{RotationRole.Region}:{RotationRole.Account}:parameter/app/db"];
        foreach (var stack in new[] { RotationRole.Stack, RotationRole.ExternalStack })
        {
            foreach (var role in new[] { RotationRole.Kms(stack), RetentionRole.Kms(stack) })
            {
                foreach (var resource in resources)
                {
                    Assert.False(role.AllowsByIam(new IamRequest(string.Empty, action, resource, new Dictionary<string, IReadOnlyList<string>>())), $"{action} on {resource}");
                }
            }
        }
    }

    [Fact]
    public void ServiceActions_CoverEveryConsumerType()
    {
        Assert.All(ConsumerPermissions.All, c => Assert.Contains(c.Inventory, a => !a.StartsWith("kms:", StringComparison.Ordinal)));
    }
}
