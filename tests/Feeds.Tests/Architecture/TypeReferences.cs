using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Feeds.Tests.Architecture;

/// <summary>One type naming another: <see cref="From"/> and <see cref="To"/> are full names, nested types with '+'.</summary>
public sealed record TypeReference(string From, string FromNamespace, string To, string ToNamespace);

/// <summary>
/// Every type each type of an assembly names, read from the compiled metadata and IL with System.Reflection.Metadata
/// (ECMA-335), so nothing the compiler emitted is missed: base types and interfaces, generic arguments and
/// constraints, field, property, event and method signatures, locals, catch clauses, custom attributes (their
/// constructors and <c>typeof</c> arguments), and every type, method, field and signature token in method bodies.
/// A <c>using</c> line proves nothing either way (same-root namespaces need none, and an unused one names nothing);
/// the metadata is what the code really depends on. Compiler-generated nested types (lambdas' closures, async
/// state machines, <c>[LoggerMessage]</c> code) count as part of the type that encloses them.
/// </summary>
public static class TypeReferences
{
    public static IReadOnlyList<TypeReference> Of(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var found = new HashSet<TypeReference>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = Names.Of(reader, handle);
            var collector = new Collector(reader, pe);
            collector.Type(handle);
            foreach (var to in collector.Named)
                found.Add(new TypeReference(TopLevel(from.FullName), from.Namespace, to.FullName, to.Namespace));
        }
        return [.. found];
    }

    private static string TopLevel(string fullName) => fullName.Split('+')[0];

    /// <summary>A type's namespace (its outermost declaring type's, for a nested one) and its full name.</summary>
    private readonly record struct TypeName(string Namespace, string FullName)
    {
        public static readonly TypeName None = new("", "");
    }

    private static class Names
    {
        public static TypeName Of(MetadataReader reader, TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            var name = reader.GetString(type.Name);
            var declaring = type.GetDeclaringType();
            if (!declaring.IsNil)
            {
                var outer = Of(reader, declaring);
                return new(outer.Namespace, outer.FullName + "+" + name);
            }
            var ns = reader.GetString(type.Namespace);
            return new(ns, ns.Length == 0 ? name : ns + "." + name);
        }

        public static TypeName Of(MetadataReader reader, TypeReferenceHandle handle)
        {
            var type = reader.GetTypeReference(handle);
            var name = reader.GetString(type.Name);
            if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                var outer = Of(reader, (TypeReferenceHandle)type.ResolutionScope);
                return new(outer.Namespace, outer.FullName + "+" + name);
            }
            var ns = reader.GetString(type.Namespace);
            return new(ns, ns.Length == 0 ? name : ns + "." + name);
        }
    }

    /// <summary>Gathers the named types one type definition (with its nested types' members) refers to.</summary>
    private sealed class Collector(MetadataReader reader, PEReader pe)
    {
        private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (OpCode)field.GetValue(null)!)
            .ToDictionary(code => (ushort)code.Value);

        private readonly SignatureNames signatures = new(reader);

        public HashSet<TypeName> Named { get; } = [];

        public void Type(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            Entity(type.BaseType);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                var interfaceImplementation = reader.GetInterfaceImplementation(implementation);
                Entity(interfaceImplementation.Interface);
                Attributes(interfaceImplementation.GetCustomAttributes());
            }
            GenericParameters(type.GetGenericParameters());
            Attributes(type.GetCustomAttributes());
            foreach (var field in type.GetFields())
            {
                var definition = reader.GetFieldDefinition(field);
                Add(definition.DecodeSignature(signatures, null));
                Attributes(definition.GetCustomAttributes());
            }
            foreach (var property in type.GetProperties())
            {
                var definition = reader.GetPropertyDefinition(property);
                Signature(definition.DecodeSignature(signatures, null));
                Attributes(definition.GetCustomAttributes());
            }
            foreach (var @event in type.GetEvents())
            {
                var definition = reader.GetEventDefinition(@event);
                Entity(definition.Type);
                Attributes(definition.GetCustomAttributes());
            }
            foreach (var implementation in type.GetMethodImplementations())
            {
                var methodImplementation = reader.GetMethodImplementation(implementation);
                Entity(methodImplementation.MethodDeclaration);
                Entity(methodImplementation.MethodBody);
            }
            foreach (var method in type.GetMethods())
                Method(method);
            // Nested types are compiled separately but written inside their declaring type.
            foreach (var nested in type.GetNestedTypes())
                Type(nested);
        }

        private void Method(MethodDefinitionHandle handle)
        {
            var method = reader.GetMethodDefinition(handle);
            Signature(method.DecodeSignature(signatures, null));
            GenericParameters(method.GetGenericParameters());
            Attributes(method.GetCustomAttributes());
            foreach (var parameter in method.GetParameters())
                Attributes(reader.GetParameter(parameter).GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0)
                return;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                Entity(body.LocalSignature);
            foreach (var region in body.ExceptionRegions)
                Entity(region.CatchType);
            Instructions(body.GetILReader());
        }

        /// <summary>Walks the IL (ECMA-335 III) and follows every operand that is a metadata token.</summary>
        private void Instructions(BlobReader il)
        {
            while (il.RemainingBytes > 0)
            {
                ushort value = il.ReadByte();
                if (value == 0xFE)
                    value = (ushort)(0xFE00 | il.ReadByte());
                var code = OpCodesByValue[value];
                switch (code.OperandType)
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI or OperandType.InlineBrTarget or OperandType.ShortInlineR or OperandType.InlineString:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineSig
                        or OperandType.InlineTok or OperandType.InlineType:
                        Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default:
                        throw new InvalidOperationException($"IL operand type {code.OperandType} of {code.Name} is not handled");
                }
            }
        }

        private void Entity(EntityHandle handle)
        {
            if (handle.IsNil)
                return;
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Named.Add(Names.Of(reader, (TypeDefinitionHandle)handle));
                    break;
                case HandleKind.TypeReference:
                    Named.Add(Names.Of(reader, (TypeReferenceHandle)handle));
                    break;
                case HandleKind.TypeSpecification:
                    Add(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(signatures, null));
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                        Signature(member.DecodeMethodSignature(signatures, null));
                    else
                        Add(member.DecodeFieldSignature(signatures, null));
                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    Named.Add(Names.Of(reader, method.GetDeclaringType()));
                    Signature(method.DecodeSignature(signatures, null));
                    break;
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    Named.Add(Names.Of(reader, field.GetDeclaringType()));
                    Add(field.DecodeSignature(signatures, null));
                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method);
                    foreach (var argument in specification.DecodeSignature(signatures, null))
                        Add(argument);
                    break;
                case HandleKind.StandaloneSignature:
                    var standalone = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (standalone.GetKind() == StandaloneSignatureKind.LocalVariables)
                        foreach (var local in standalone.DecodeLocalSignature(signatures, null))
                            Add(local);
                    else
                        Signature(standalone.DecodeMethodSignature(signatures, null));
                    break;
                case HandleKind.ModuleReference or HandleKind.AssemblyReference or HandleKind.ModuleDefinition:
                    break;
                default:
                    throw new InvalidOperationException($"metadata token of kind {handle.Kind} is not handled");
            }
        }

        private void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var parameter in parameters)
            {
                var definition = reader.GetGenericParameter(parameter);
                Attributes(definition.GetCustomAttributes());
                foreach (var constraint in definition.GetConstraints())
                    Entity(reader.GetGenericParameterConstraint(constraint).Type);
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var handle in attributes)
            {
                var attribute = reader.GetCustomAttribute(handle);
                Entity(attribute.Constructor);
                // typeof(...) arguments are stored by name, not by token.
                var value = attribute.DecodeValue(new AttributeArgumentTypes());
                foreach (var argument in value.FixedArguments.Concat(value.NamedArguments.Select(named => new CustomAttributeTypedArgument<Type?>(named.Type, named.Value))))
                    foreach (var type in TypesIn(argument))
                        Named.Add(new(type.Namespace ?? "", type.FullName ?? type.Name));
            }
        }

        private static IEnumerable<Type> TypesIn(CustomAttributeTypedArgument<Type?> argument) => argument.Value switch
        {
            Type type when argument.Type == typeof(Type) => [type],
            ImmutableArray<CustomAttributeTypedArgument<Type?>> items => items.SelectMany(TypesIn),
            _ => [],
        };

        private void Signature(MethodSignature<ImmutableArray<TypeName>> signature)
        {
            Add(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
                Add(parameter);
        }

        private void Add(ImmutableArray<TypeName> types)
        {
            foreach (var type in types)
                Named.Add(type);
        }
    }

    /// <summary>Decodes a signature blob into every named type it mentions (generic arguments included).</summary>
    private sealed class SignatureNames(MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<TypeName>, object?>
    {
        public ImmutableArray<TypeName> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
        public ImmutableArray<TypeName> GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => [Names.Of(metadata, handle)];
        public ImmutableArray<TypeName> GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => [Names.Of(metadata, handle)];
        public ImmutableArray<TypeName> GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public ImmutableArray<TypeName> GetSZArrayType(ImmutableArray<TypeName> elementType) => elementType;
        public ImmutableArray<TypeName> GetArrayType(ImmutableArray<TypeName> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<TypeName> GetByReferenceType(ImmutableArray<TypeName> elementType) => elementType;
        public ImmutableArray<TypeName> GetPointerType(ImmutableArray<TypeName> elementType) => elementType;
        public ImmutableArray<TypeName> GetPinnedType(ImmutableArray<TypeName> elementType) => elementType;
        public ImmutableArray<TypeName> GetGenericInstantiation(ImmutableArray<TypeName> genericType, ImmutableArray<ImmutableArray<TypeName>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(argument => argument)];
        public ImmutableArray<TypeName> GetGenericMethodParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeName> GetGenericTypeParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeName> GetModifiedType(ImmutableArray<TypeName> modifier, ImmutableArray<TypeName> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];
        public ImmutableArray<TypeName> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeName>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(parameter => parameter)];
    }

    /// <summary>
    /// Decodes custom attribute arguments; a <c>typeof</c> argument is stored as a serialized type name, which the
    /// loaded assemblies resolve. An enum argument's size is read from the loaded enum type.
    /// </summary>
    private sealed class AttributeArgumentTypes : ICustomAttributeTypeProvider<Type?>
    {
        public Type? GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Boolean => typeof(bool),
            PrimitiveTypeCode.Byte => typeof(byte),
            PrimitiveTypeCode.SByte => typeof(sbyte),
            PrimitiveTypeCode.Char => typeof(char),
            PrimitiveTypeCode.Int16 => typeof(short),
            PrimitiveTypeCode.UInt16 => typeof(ushort),
            PrimitiveTypeCode.Int32 => typeof(int),
            PrimitiveTypeCode.UInt32 => typeof(uint),
            PrimitiveTypeCode.Int64 => typeof(long),
            PrimitiveTypeCode.UInt64 => typeof(ulong),
            PrimitiveTypeCode.Single => typeof(float),
            PrimitiveTypeCode.Double => typeof(double),
            PrimitiveTypeCode.String => typeof(string),
            PrimitiveTypeCode.Object => typeof(object),
            _ => throw new InvalidOperationException($"attribute argument of primitive type {typeCode} is not handled"),
        };

        public Type? GetSystemType() => typeof(Type);
        public Type? GetSZArrayType(Type? elementType) => elementType?.MakeArrayType();
        public bool IsSystemType(Type? type) => type == typeof(Type);
        public Type? GetTypeFromSerializedName(string name) => Resolve(name);
        public Type? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => Resolve(Names.Of(reader, handle).FullName);
        public Type? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => Resolve(Names.Of(reader, handle).FullName);

        public PrimitiveTypeCode GetUnderlyingEnumType(Type? type) =>
            (type ?? throw new InvalidOperationException("an enum argument of an attribute names a type that is not loaded")).GetEnumUnderlyingType() switch
            {
                var t when t == typeof(byte) => PrimitiveTypeCode.Byte,
                var t when t == typeof(sbyte) => PrimitiveTypeCode.SByte,
                var t when t == typeof(short) => PrimitiveTypeCode.Int16,
                var t when t == typeof(ushort) => PrimitiveTypeCode.UInt16,
                var t when t == typeof(int) => PrimitiveTypeCode.Int32,
                var t when t == typeof(uint) => PrimitiveTypeCode.UInt32,
                var t when t == typeof(long) => PrimitiveTypeCode.Int64,
                _ => PrimitiveTypeCode.UInt64,
            };

        /// <summary>A serialized name is "Namespace.Type+Nested, Assembly, ..." or, in the same assembly, without the assembly.</summary>
        private static Type? Resolve(string name) =>
            Type.GetType(name) ?? AppDomain.CurrentDomain.GetAssemblies().Select(assembly => assembly.GetType(name.Split(',')[0])).FirstOrDefault(type => type is not null)
            ?? throw new InvalidOperationException($"the type {name} named in an attribute is not loaded");
    }
}
