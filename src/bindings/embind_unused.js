// A JavaScript library for the link (--js-library, CMakeLists.txt): the parts of embind's
// JavaScript that the bindings never use, emptied or cut down to what they do use, so that they
// are not in the page's script. A library given with --js-library overrides Emscripten's own
// definition of the same name, its dependencies (__deps) included; the names are those of
// Emscripten 3.1.6's src/embind/embind.js and src/embind/emval.js.
//
// - embind's C++ registers every built-in type at start-up: std::wstring, std::u16string,
//   std::u32string and the typed_memory_view of each typed array bring their converters and the
//   UTF-16 and UTF-32 codecs. The bindings pass strings, numbers, booleans and emscripten::val only;
//   a type that is never registered is never looked up.
// - An embind object gets clone, isAliasOf, isDeleted and deleteLater besides delete, and the module
//   gets flushPendingDeletes, setDelayFunction and two counters of live instances. No embind object
//   leaves the library (js/outbound-api.js keeps its client in a private field, and calls only
//   delete on it), and nothing calls the module's four.
// - The one class (`outbound`) has no base class and is held by no smart pointer, and no C++
//   function returns a pointer to an object that JavaScript already holds: a pointer crosses as
//   itself (no upcast, no downcast to a derived class, no lookup of an existing handle), and a
//   handle needs no finalizer (embind gives one only to smart pointers).
// - No bound function takes or returns a 64-bit integer, so each is called straight from the
//   function table, without the dynCall_* helpers that split such integers in two.
// - No name is bound twice: no function or method has overloads, so a name is exposed by plain
//   assignment, with no table of overloads by argument count. Nor is a type registered twice, or
//   without its size.
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

  $genericPointerToWireType__deps: [],
  $genericPointerToWireType: function (destructors, handle) {},
  $RegisteredPointer_fromWireType__deps: ['$makeClassHandle'],
  $RegisteredPointer_fromWireType: function (ptr) {
    return ptr ? makeClassHandle(this.registeredClass.instancePrototype, { ptrType: this, ptr: ptr }) : null;
  },
  $attachFinalizer__deps: [],
  $attachFinalizer: function (handle) {
    return handle;
  },

  // Still a dependency: the registration of a method calls it when a name is bound twice.
  $ensureOverloadTable__deps: [],
  $ensureOverloadTable: function (proto, methodName, humanName) {},
  $exposePublicSymbol__deps: ['$ensureOverloadTable'],
  $exposePublicSymbol: function (name, value, numArguments) {
    Module[name] = value;
  },
  $replacePublicSymbol__deps: [],
  $replacePublicSymbol: function (name, value, numArguments) {
    Module[name] = value;
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

  $embind__requireFunction__deps: [],
  $embind__requireFunction: function (signature, rawFunction) {
    return wasmTable.get(rawFunction);
  },

  $emval_get_global__deps: [],
  $emval_get_global: function () {
    return globalThis;
  },
});
