// A JavaScript library for the link (--js-library, CMakeLists.txt): the parts of embind's
// JavaScript that the bindings never use, emptied or cut down to what they do use, so that they
// are not in the page's script. A library given with --js-library overrides Emscripten's own
// definition of the same name, its dependencies (__deps) included; the names are those of
// Emscripten 3.1.6's src/embind/embind.js and src/embind/emval.js. What the bindings use, which
// each definition here relies on:
//
// - embind's C++ registers every built-in type at start-up: std::wstring, std::u16string,
//   std::u32string and the typed_memory_view of each typed array bring their converters and the
//   UTF-16 and UTF-32 codecs. The bindings pass strings, numbers, booleans and emscripten::val only;
//   a type that is never registered is never looked up. Strings cross as UTF-8 both ways, as
//   TextEncoder and TextDecoder write and read it (a lone surrogate becomes U+FFFD, as in the
//   arguments of a call), and as bytes (a Uint8Array) from JavaScript.
// - An embind object gets clone, isAliasOf, isDeleted and deleteLater besides delete, and the module
//   gets flushPendingDeletes, setDelayFunction and two counters of live instances. No embind object
//   leaves the library (js/outbound-api.js keeps its client in a private field, and calls only
//   delete on it), and nothing calls the module's four.
// - The one class (`outbound`) has no base class and is held by no smart pointer, and no C++
//   function returns a pointer to an object that JavaScript already holds: a pointer crosses as
//   itself (no upcast, no downcast to a derived class, no lookup of an existing handle, no count
//   of a handle's clones), and a handle needs no finalizer (embind gives one only to smart
//   pointers).
// - No bound function takes or returns a 64-bit integer, so each is called straight from the
//   function table, without the dynCall_* helpers that split such integers in two.
// - No name is bound twice: no function or method has overloads, so a name is exposed by plain
//   assignment, with no table of overloads by argument count, and the class has one constructor,
//   which only js/outbound-api.js calls (with `new`).
//   Nor is a type registered twice, or without its size.
// - Every type is registered as the module starts, before anything is called: nothing stands in
//   for a function or class whose types are not all bound yet.
// - embind's own errors (a deleted object called, say) are Errors named as embind names them
//   (BindingError...); nothing tells them apart by their class.
// - Every runtime the library supports has globalThis.

mergeInto(LibraryManager.library, {
  _embind_register_std_wstring__deps: [],
  _embind_register_std_wstring: function (rawType, charSize, name) {},
  _embind_register_memory_view__deps: [],
  _embind_register_memory_view: function (rawType, dataTypeIndex, name) {},

  $init_ClassHandle__deps: ['$ClassHandle_delete'],
  $init_ClassHandle: function () {
    ClassHandle.prototype['delete'] = ClassHandle_delete;
  },
  $init_embind__deps: [],
  $init_embind__postset: '',
  $init_embind: function () {},
#if !ENVIRONMENT_MAY_BE_NODE
  // The module's two counters of live emscripten::val handles: the Node suites read the Node
  // module's.
  $init_emval__deps: [],
  $init_emval__postset: '',
  $init_emval: function () {},
#endif

  $genericPointerToWireType__deps: [],
  $genericPointerToWireType: function (destructors, handle) {},
  $RegisteredPointer_fromWireType__deps: [],
  $RegisteredPointer_fromWireType: function (ptr) {
    if (!ptr) return null;
    var record = { count: { value: 1 }, ptrType: this, ptr: ptr };
    return Object.create(this.registeredClass.instancePrototype, { $$: { value: record } });
  },
  $ClassHandle_delete__deps: ['$throwBindingError'],
  $ClassHandle_delete: function () {
    var record = this.$$;
    var registeredClass = record.ptrType.registeredClass;
    if (!record.ptr) throwBindingError(registeredClass.name + ' instance already deleted');
    registeredClass.rawDestructor(record.ptr);
    record.ptr = undefined;
  },
  // `this` of a method: a handle of the one class, as js/outbound-api.js holds it (never const).
  $constNoSmartPtrRawPointerToWireType__deps: ['$throwBindingError'],
  $constNoSmartPtrRawPointerToWireType: function (destructors, handle) {
    if (!handle.$$.ptr) throwBindingError('Cannot pass deleted object as a pointer of type ' + this.name);
    return handle.$$.ptr;
  },
  $nonConstNoSmartPtrRawPointerToWireType__deps: ['$constNoSmartPtrRawPointerToWireType'],
  $nonConstNoSmartPtrRawPointerToWireType: function (destructors, handle) {
    return constNoSmartPtrRawPointerToWireType.call(this, destructors, handle);
  },
  $attachFinalizer__deps: [],
  $attachFinalizer: function (handle) {
    return handle;
  },

  $exposePublicSymbol__deps: [],
  $exposePublicSymbol: function (name, value, numArguments) {
    Module[name] = value;
  },
  _embind_register_function__deps: [
    '$craftInvokerFunction', '$exposePublicSymbol', '$heap32VectorToArray', '$readLatin1String',
    '$embind__requireFunction', '$whenDependentTypesAreResolved'],
  _embind_register_function: function (name, argCount, rawArgTypesAddr, signature, rawInvoker, fn) {
    var rawArgTypes = heap32VectorToArray(argCount, rawArgTypesAddr);
    name = readLatin1String(name);
    rawInvoker = embind__requireFunction(signature, rawInvoker);
    whenDependentTypesAreResolved([], rawArgTypes, function (argTypes) {
      argTypes.splice(1, 0, null);  // no `this`
      exposePublicSymbol(name, craftInvokerFunction(null, argTypes, null, rawInvoker, fn));
      return [];
    });
  },
  $registerType__deps: ['$awaitingDependencies', '$registeredTypes', '$typeDependencies'],
  $registerType: function (rawType, registeredInstance, options) {
    registeredTypes[rawType] = registeredInstance;
    delete typeDependencies[rawType];
    var callbacks = awaitingDependencies[rawType];
    if (callbacks) {
      delete awaitingDependencies[rawType];
      callbacks.forEach(function (callback) {
        callback();
      });
    }
  },

  // The one class: no base class to wait for, no dynamic type to look up.
  _embind_register_class__deps: [
    '$ClassHandle', '$readLatin1String', '$RegisteredClass', '$RegisteredPointer',
    '$exposePublicSymbol', '$makeLegalFunctionName', '$embind__requireFunction',
    '$whenDependentTypesAreResolved'],
  _embind_register_class: function (
    rawType, rawPointerType, rawConstPointerType, baseClassRawType, getActualTypeSignature,
    getActualType, upcastSignature, upcast, downcastSignature, downcast, name, destructorSignature,
    rawDestructor) {
    name = readLatin1String(name);
    // Called with `new` and two arguments only, by js/outbound-api.js.
    var classConstructor = function () {
      return registeredClass.constructor_body.apply(this, arguments);
    };
    var instancePrototype = Object.create(ClassHandle.prototype, { constructor: { value: classConstructor } });
    classConstructor.prototype = instancePrototype;
    var registeredClass = new RegisteredClass(
      name, classConstructor, instancePrototype, embind__requireFunction(destructorSignature, rawDestructor));
    whenDependentTypesAreResolved([rawType, rawPointerType, rawConstPointerType], [], function () {
      exposePublicSymbol(makeLegalFunctionName(name), classConstructor);
      return [
        new RegisteredPointer(name, registeredClass, true, false, false),
        new RegisteredPointer(name + '*', registeredClass, false, false, false),
        new RegisteredPointer(name + ' const*', registeredClass, false, true, false),
      ];
    });
  },

  _embind_register_class_constructor__deps: [
    '$heap32VectorToArray', '$embind__requireFunction', '$whenDependentTypesAreResolved',
    '$craftInvokerFunction'],
  _embind_register_class_constructor: function (
    rawClassType, argCount, rawArgTypesAddr, invokerSignature, invoker, rawConstructor) {
    var rawArgTypes = heap32VectorToArray(argCount, rawArgTypesAddr);
    invoker = embind__requireFunction(invokerSignature, invoker);
    whenDependentTypesAreResolved([], [rawClassType], function (classType) {
      classType = classType[0];
      whenDependentTypesAreResolved([], rawArgTypes, function (argTypes) {
        argTypes.splice(1, 0, null);  // no `this` for a constructor
        classType.registeredClass.constructor_body =
          craftInvokerFunction(null, argTypes, null, invoker, rawConstructor);
        return [];
      });
      return [];
    });
  },

  $extendError__deps: [],
  $extendError: function (baseErrorType, errorName) {
    return function (message) {
      var error = new baseErrorType(message);
      error.name = errorName;
      return error;
    };
  },

  _embind_register_class_function__deps: [
    '$craftInvokerFunction', '$heap32VectorToArray', '$readLatin1String',
    '$embind__requireFunction', '$whenDependentTypesAreResolved'],
  _embind_register_class_function: function (
    rawClassType, methodName, argCount, rawArgTypesAddr, invokerSignature, rawInvoker, context,
    isPureVirtual) {
    var rawArgTypes = heap32VectorToArray(argCount, rawArgTypesAddr);
    methodName = readLatin1String(methodName);
    rawInvoker = embind__requireFunction(invokerSignature, rawInvoker);
    whenDependentTypesAreResolved([], [rawClassType], function (classType) {
      classType = classType[0];
      whenDependentTypesAreResolved([], rawArgTypes, function (argTypes) {
        classType.registeredClass.instancePrototype[methodName] =
          craftInvokerFunction(null, argTypes, classType, rawInvoker, context);
        return [];
      });
      return [];
    });
  },

  // The same converter for std::basic_string<unsigned char>, which nothing passes.
  $embind_utf8Encoder: undefined,
  $embind_utf8Encoder__postset: 'embind_utf8Encoder = new TextEncoder();',
  _embind_register_std_string__deps: [
    '$readLatin1String', '$registerType', '$simpleReadValueFromPointer', '$throwBindingError',
    '$embind_utf8Encoder'],
  _embind_register_std_string: function (rawType, name) {
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': function (value) {
        var text = UTF8Decoder.decode(HEAPU8.subarray(value + 4, value + 4 + HEAPU32[value >> 2]));
        _free(value);
        return text;
      },
      'toWireType': function (destructors, value) {
        if (typeof value == 'string') value = embind_utf8Encoder.encode(value);
        else if (!(value instanceof Uint8Array)) throwBindingError('Cannot pass non-string to std::string');
        var ptr = _malloc(4 + value.length);
        HEAPU32[ptr >> 2] = value.length;
        HEAPU8.set(value, ptr + 4);
        if (destructors !== null) destructors.push(_free, ptr);
        return ptr;
      },
      'argPackAdvance': 8,
      'readValueFromPointer': simpleReadValueFromPointer,
      destructorFunction: function (ptr) {
        _free(ptr);
      },
    });
  },

  // Every argument's converter either needs no clean-up or lists it in `destructors` (std::string):
  // one way to clean up after a call. The arrays are reused from call to call, as embind's are.
  // The bindings' JavaScript passes each bound function its number of arguments: no count is checked.
  $craftInvokerFunction__deps: ['$runDestructors'],
  $craftInvokerFunction: function (unusedName, argTypes, classType, cppInvokerFunc, cppTargetFunc) {
    var argCount = argTypes.length - 2;
    var hasThis = argTypes[1] !== null && classType !== null;
    var returnsValue = argTypes[0].name !== 'void';
    var destructors = [];
    var wireArgs = [];
    return function () {
      destructors.length = 0;
      wireArgs.length = 0;
      wireArgs.push(cppTargetFunc);
      if (hasThis) wireArgs.push(argTypes[1]['toWireType'](destructors, this));
      for (var i = 0; i < argCount; ++i) wireArgs.push(argTypes[i + 2]['toWireType'](destructors, arguments[i]));
      var result = cppInvokerFunc.apply(null, wireArgs);
      runDestructors(destructors);
      return returnsValue ? argTypes[0]['fromWireType'](result) : undefined;
    };
  },

  // Names are ASCII: no table of the 256 character codes to read them with.
  $readLatin1String__deps: [],
  $readLatin1String: function (ptr) {
    var text = '';
    while (HEAPU8[ptr]) text += String.fromCharCode(HEAPU8[ptr++]);
    return text;
  },

  // A C++ bool is one byte.
  _embind_register_bool__deps: ['$readLatin1String', '$registerType'],
  _embind_register_bool: function (rawType, name, size, trueValue, falseValue) {
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': function (wt) {
        return !!wt;
      },
      'toWireType': function (destructors, o) {
        return o ? trueValue : falseValue;
      },
      'argPackAdvance': 8,
      'readValueFromPointer': function (pointer) {
        return this['fromWireType'](HEAPU8[pointer]);
      },
      destructorFunction: null,
    });
  },

  $embind__requireFunction__deps: [],
  $embind__requireFunction: function (signature, rawFunction) {
    return wasmTable.get(rawFunction);
  },

  $emval_get_global__deps: [],
  $emval_get_global: function () {
    return globalThis;
  },
});
