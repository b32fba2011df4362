<?php
/**
 * A minimal stand-in for the Ripcord library that the seed document's PHP examples use
 * (`ripcord::client($url)` and then `$client->method(...)`). Ripcord is not packaged by
 * Debian nor reachable here, so this file does what its XML-RPC client does, and no more:
 * the request is built by PHP's xmlrpc extension (`xmlrpc_encode_request`, with Ripcord's
 * default output options), POSTed with a PHP HTTP stream as Content-Type text/xml, and the
 * answer is decoded by `xmlrpc_decode`. So the bytes on the wire are those a PHP user of
 * Ripcord sends. Unlike Ripcord's default, a fault is thrown (RipcordRemoteException)
 * rather than returned as an array, so a test cannot miss one.
 */

class RipcordRemoteException extends Exception
{
    public $faultCode;
    public $faultString;

    public function __construct($faultCode, $faultString)
    {
        $this->faultCode = $faultCode;
        $this->faultString = $faultString;
        parent::__construct('XML-RPC fault ' . var_export($faultCode, true) . ': ' . $faultString);
    }
}

class RipcordTransportException extends Exception
{
}

class RipcordCompatClient
{
    /** Ripcord's default output options for xmlrpc_encode_request. */
    private static $outputOptions = array(
        'output_type' => 'xml',
        'verbosity' => 'pretty',
        'escaping' => array('markup'),
        'version' => 'xmlrpc',
        'encoding' => 'utf-8',
    );

    private $url;

    public $_request = '';
    public $_response = '';

    public function __construct($url)
    {
        if (!function_exists('xmlrpc_encode_request')) {
            throw new Exception('PHP XMLRPC library is not installed', -5);
        }
        $this->url = $url;
    }

    public function __call($name, $args)
    {
        $request = xmlrpc_encode_request($name, $args, self::$outputOptions);
        $context = stream_context_create(array(
            'http' => array(
                'method' => 'POST',
                'header' => 'Content-Type: text/xml',
                'content' => $request,
                'ignore_errors' => true,
            ),
        ));
        $response = @file_get_contents($this->url, false, $context);
        if ($response === false || $response === '') {
            $error = error_get_last();
            throw new RipcordTransportException('Could not access ' . $this->url
                . ($error ? ': ' . $error['message'] : ''));
        }
        $status = isset($http_response_header[0]) ? $http_response_header[0] : '';
        if (!preg_match('#^HTTP/\S+ 200#', $status)) {
            throw new RipcordTransportException('HTTP status "' . $status . '" from ' . $this->url
                . ': ' . substr($response, 0, 300));
        }
        $this->_request = $request;
        $this->_response = $response;
        $result = xmlrpc_decode($response, 'utf-8');
        if ($result === null && strpos($response, '<methodResponse') === false) {
            throw new RipcordTransportException('Not an XML-RPC answer: ' . substr($response, 0, 300));
        }
        if (is_array($result) && xmlrpc_is_fault($result)) {
            throw new RipcordRemoteException($result['faultCode'], $result['faultString']);
        }
        return $result;
    }
}

class ripcord
{
    public static function client($url)
    {
        return new RipcordCompatClient($url);
    }
}
