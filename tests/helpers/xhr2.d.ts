/** xhr2 ships no types; it is an XMLHttpRequest for Node, used only to run DirectLineJS in tests. */
declare module 'xhr2' {
  class XMLHttpRequest {}
  export = XMLHttpRequest;
}
