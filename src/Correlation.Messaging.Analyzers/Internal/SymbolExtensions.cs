using Microsoft.CodeAnalysis;

namespace Correlation.Messaging.Analyzers.Internal;

/// <summary>Type tests shared by the analyzers.</summary>
internal static class SymbolExtensions
{
    /// <summary>Whether <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool DerivesFrom(this ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="interface"/> or implements it (any construction of a generic one).</summary>
    public static bool Implements(this ITypeSymbol? type, INamedTypeSymbol? @interface)
    {
        if (type is null || @interface is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, @interface))
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, @interface))
            {
                return true;
            }
        }

        return false;
    }
}
