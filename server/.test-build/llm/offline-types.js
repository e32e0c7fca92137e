export {};
//# sourceMappingURL=offline-types.js.map